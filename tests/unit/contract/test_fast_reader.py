"""The compiled Avro reader: fastavro's records, with the same Python types, for every schema."""

import io
import math
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fast_writer import (
    CATALOGUE,
    EVERYTHING,
    NODE,
    VARIANTS,
    fastavro_bytes,
    one_field,
    values_of,
    vary,
)

from schemas.codec import AvroCodec
from schemas.fast_reader import compile_fast_reader, compile_reader
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource


def assert_identical(got: Any, expected: Any, where: str = "record") -> None:
    """Equal values of the same Python types, all the way down (NaN, -0.0 and zones too)."""
    assert type(got) is type(expected), f"{where}: {type(got)} is not {type(expected)}"
    if isinstance(expected, dict):
        assert list(got) == list(expected), where
        for key, value in expected.items():
            assert_identical(got[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert len(got) == len(expected), where
        for index, (item, wanted) in enumerate(zip(got, expected, strict=True)):
            assert_identical(item, wanted, f"{where}[{index}]")
    elif isinstance(expected, float):
        assert repr(got) == repr(expected) or (math.isnan(got) and math.isnan(expected)), where
    elif isinstance(expected, datetime):
        assert (got, got.tzinfo) == (expected, expected.tzinfo), where
    else:
        assert got == expected, where


def fastavro_read(schema: dict[str, Any], body: bytes, offset: int = 0) -> tuple[Any, int]:
    """What fastavro.schemaless_reader returns, and where it stops."""
    buffer = io.BytesIO(body)
    buffer.seek(offset)
    return fastavro.schemaless_reader(buffer, schema, None), buffer.tell()


def assert_reads_as_fastavro(schema: dict[str, Any], body: bytes, offset: int = 0) -> None:
    """The compiled fast reader, with no help from fastavro, reads what fastavro reads.

    A body fastavro refuses (a uuid field written from any str) raises the same error;
    a timestamp or date beyond Python's (OverflowError in fastavro) raises ValueError.
    """
    fast = compile_fast_reader(schema, schema["__named_schemas"])
    assert fast is not None
    try:
        expected, expected_end = fastavro_read(schema, body, offset)
    except (ValueError, OverflowError) as refused:
        with pytest.raises(ValueError if isinstance(refused, OverflowError) else type(refused)):
            fast(body, offset)
        return
    record, end = fast(body, offset)
    assert_identical(record, expected)
    assert end == expected_end == len(body)


def has_fast_reader(schema: dict[str, Any]) -> bool:
    """True when the schema is read by the compiled reader, not left to fastavro."""
    return compile_fast_reader(schema, schema["__named_schemas"]) is not None


class TestCatalogue:
    def test_every_event_type_has_a_fast_reader(self):
        """No schema in the catalogue is left to fastavro at compile time."""
        for event_type in CATALOGUE.event_types:
            assert has_fast_reader(CATALOGUE.schema(event_type)), event_type

    @pytest.mark.parametrize("variant", VARIANTS)
    @pytest.mark.parametrize("event_type", CATALOGUE.event_types)
    def test_sample_variations_read_as_fastavro(self, event_type, variant):
        """Samples and their variations (nulls, extremes, long strings...) read as fastavro's."""
        schema = CATALOGUE.schema(event_type)
        event = vary(schema, sample_event(event_type), variant, schema["__named_schemas"])
        assert_reads_as_fastavro(schema, fastavro_bytes(schema, event))

    @pytest.mark.parametrize(
        "event_type",
        [
            "DisclosureDecided",
            "DisclosedEvent",
            "AttendanceMarked",
            "SharingAgreementPublished",
            "AlertRaised",
        ],
    )
    @settings(max_examples=150, deadline=None)
    @given(data=st.data())
    def test_generated_events_read_as_fastavro(self, event_type, data):
        """Any well-typed event of a representative schema reads back as fastavro reads it."""
        schema = CATALOGUE.schema(event_type)
        event = data.draw(values_of(schema, schema["__named_schemas"]))
        assert_reads_as_fastavro(schema, fastavro_bytes(schema, event))


class TestEveryType:
    def test_synthetic_schemas_have_a_fast_reader(self):
        """A schema using every type, and a recursive one, compile to a fast reader."""
        assert has_fast_reader(EVERYTHING)
        assert has_fast_reader(NODE)

    @settings(max_examples=400, deadline=None)
    @given(data=st.data())
    def test_generated_records_read_as_fastavro(self, data):
        """Any record of a schema using every Avro type reads back as fastavro reads it."""
        record = data.draw(values_of(EVERYTHING, EVERYTHING["__named_schemas"]))
        assert_reads_as_fastavro(EVERYTHING, fastavro_bytes(EVERYTHING, record))

    @settings(max_examples=100, deadline=None)
    @given(data=st.data())
    def test_recursive_records_read_as_fastavro(self, data):
        """A record type that contains itself reads back as fastavro reads it."""
        record = data.draw(values_of(NODE, NODE["__named_schemas"]))
        assert_reads_as_fastavro(NODE, fastavro_bytes(NODE, record))

    @settings(max_examples=50, deadline=None)
    @given(prefix=st.binary(max_size=20), data=st.data())
    def test_reads_from_an_offset(self, prefix, data):
        """A body after other bytes is read from its offset, and the end offset is returned."""
        record = data.draw(values_of(EVERYTHING, EVERYTHING["__named_schemas"]))
        assert_reads_as_fastavro(
            EVERYTHING, prefix + fastavro_bytes(EVERYTHING, record), len(prefix)
        )

    @pytest.mark.parametrize(
        ("field_type", "body"),
        [
            ({"type": "array", "items": "int"}, b"\x04\x02\x04\x02\x06\x00"),  # two blocks
            ({"type": "array", "items": "int"}, b"\x03\x04\x02\x04\x00"),  # count -2, 4 bytes
            ({"type": "map", "values": "int"}, b"\x02\x02k\x02\x02\x02j\x04\x00"),
            ({"type": "map", "values": "int"}, b"\x01\x06\x02k\x02\x00"),  # count -1, 3 bytes
            ({"type": "map", "values": "int"}, b"\x04\x02k\x02\x02k\x04\x00"),  # key repeated
            ({"type": "array", "items": "null"}, b"\x0a\x00"),
            ("boolean", b"\x00"),
            ("long", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),  # -(2**63)
            ("int", b"\xff\xff\xff\xff\x0f"),  # -(2**31)
            ("long", b"\x80\x00"),  # a varint longer than it needs to be
            ({"type": "string", "logicalType": "uuid"}, b"\x40" + b"0" * 32),  # no hyphens
            ({"type": "long", "logicalType": "timestamp-micros"}, b"\x01"),
            ({"type": "long", "logicalType": "timestamp-millis"}, b"\xfe\xf3\xb2\xc7\xd4\x8a\x06"),
            ({"type": "int", "logicalType": "date"}, b"\x01"),
            ({"type": "fixed", "name": "Empty", "size": 0}, b""),
            ({"type": "record", "name": "Empty", "fields": []}, b""),
            ({"type": "long", "logicalType": "unknown-to-fastavro"}, b"\x04"),
            (["null", "string"], b"\x00"),
            (["string", "null"], b"\x02"),
            (["null", "int", "string"], b"\x04\x02x"),
        ],
    )
    def test_encodings_fastavro_does_not_write_read_as_fastavro(self, field_type, body):
        """Several blocks, negative block counts, long varints: read as fastavro reads them."""
        assert_reads_as_fastavro(one_field(field_type), body)


class TestTimestamps:
    @pytest.mark.parametrize("logical", ["timestamp-millis", "timestamp-micros"])
    @pytest.mark.parametrize(
        "number",
        [0, -1, 2**26 - 1, 2**26, 2**40 - 1, 2**40, -(2**26), -(2**26) - 1, -(2**40), 2**62],
    )
    def test_varints_around_six_bytes_read_as_fastavro(self, logical, number):
        """Timestamps of 5, 6 and 7 varint bytes, before and after others, read as fastavro."""
        schema = fastavro.parse_schema(
            {
                "type": "record",
                "name": "Moments",
                "fields": [
                    {"name": "at", "type": {"type": "long", "logicalType": logical}},
                    {"name": "then", "type": "long"},
                ],
            }
        )
        for then in (0, 2**40, -1):
            assert_reads_as_fastavro(schema, fastavro_bytes(schema, {"at": number, "then": then}))


class TestLeftToFastavro:
    @pytest.mark.parametrize(
        ("field_type", "value"),
        [
            (
                {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2},
                Decimal("1.25"),
            ),
            ({"type": "int", "logicalType": "time-millis"}, time(12, 30)),
            ({"type": "long", "logicalType": "time-micros"}, time(12, 30, 0, 1)),
            (
                {"type": "long", "logicalType": "local-timestamp-millis"},
                datetime(2024, 1, 2, 3, 4, 5),  # noqa: DTZ001 - a local timestamp is naive
            ),
        ],
    )
    def test_other_logical_types_are_read_by_fastavro(self, field_type, value):
        """A decimal, time or local timestamp schema is read by fastavro, record by record."""
        schema = one_field(field_type)
        assert not has_fast_reader(schema)
        body = b"\xff" + fastavro_bytes(schema, {"f": value})
        record, end = compile_reader(schema)(body, 1)
        assert (record, end) == fastavro_read(schema, body, 1)
        assert record == {"f": value}


class TestInTheCodec:
    def test_codec_decodes_with_the_compiled_reader(self):
        """The codec reads its own schemas with a compiled reader: fastavro's records."""
        codec = AvroCodec(InMemorySchemaSource())
        for event_type in CATALOGUE.event_types:
            event = sample_event(event_type)
            data = codec.encode(event_type, event)
            entry = codec._readers[int.from_bytes(data[1:5], "big")]
            assert entry.read is not None, event_type
            assert entry.reader is None, event_type
            expected, _ = fastavro_read(CATALOGUE.schema(event_type), data, 5)
            assert_identical(codec.decode(data), expected)

    def test_a_fresh_codec_compiles_a_reader_for_a_current_schema(self):
        """A codec that never wrote the schema reads it compiled too (no resolution needed)."""
        source = InMemorySchemaSource()
        data = AvroCodec(source).encode("DisclosedEvent", sample_event("DisclosedEvent"))
        reader = AvroCodec(source)
        decoded = reader.decode(data)
        assert reader._readers[1].read is not None
        assert_identical(decoded, fastavro_read(CATALOGUE.schema("DisclosedEvent"), data, 5)[0])
        assert decoded["occurred_at"].utcoffset() == timedelta(0)
