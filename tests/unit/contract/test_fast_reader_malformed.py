"""The compiled Avro reader on malformed bodies: an error the codec reports, never a wrong value."""

import io
import json
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fast_reader import assert_identical
from test_fast_writer import CATALOGUE, EVERYTHING, fastavro_bytes, one_field, values_of

from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.exceptions import UndecodableBodyError
from schemas.fast_reader import compile_reader
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource

TOO_LATE = b"\xfe" * 9 + b"\x01"  # 2**63 - 1: far beyond datetime.max
REFUSED = (EOFError, ValueError, IndexError)  # what AvroCodec.decode reports as undecodable


def fastavro_read(schema: dict[str, Any], body: bytes) -> tuple[Any, int]:
    """What fastavro.schemaless_reader returns for a body, and where it stops."""
    buffer = io.BytesIO(body)
    return fastavro.schemaless_reader(buffer, schema, None), buffer.tell()


def assert_refused_or_as_fastavro(schema: dict[str, Any], body: bytes) -> None:
    """The compiled reader raises an error of REFUSED, or returns exactly fastavro's record."""
    try:
        record, end = compile_reader(schema)(body, 0)
    except REFUSED:
        return
    expected, expected_end = fastavro_read(schema, body)
    assert_identical(record, expected)
    assert end == expected_end


@pytest.fixture
def codec():
    return AvroCodec(InMemorySchemaSource())


class TestThroughTheCodec:
    @pytest.mark.parametrize("event_type", CATALOGUE.event_types)
    def test_every_truncation_is_undecodable(self, codec, event_type):
        """A body cut short anywhere raises UndecodableBodyError, for every event type."""
        data = codec.encode(event_type, sample_event(event_type))
        for length in range(5, len(data)):
            with pytest.raises(UndecodableBodyError):
                codec.decode(data[:length])

    def test_trailing_bytes_are_still_refused(self, codec):
        """Bytes after the record read by the compiled reader raise UndecodableBodyError."""
        data = codec.encode("DisclosedEvent", sample_event("DisclosedEvent"))
        with pytest.raises(UndecodableBodyError, match="1 byte"):
            codec.decode(data + b"\x00")

    @pytest.mark.parametrize(
        ("replace", "by"),
        [
            (b"\x020sample practitioner role", b"\x040sample practitioner role"),  # index 2 of 2
            (b"\x020sample practitioner role", b"\x010sample practitioner role"),  # index -1
            (b"\x1asample system", b"\x19sample system"),  # length -13
            (b"\x1asample system", b"\x7esample system"),  # length beyond the body
            (b"\x1asample system", b"\x1asample \xffystem"),  # not UTF-8
        ],
    )
    def test_corrupt_fields_are_undecodable(self, codec, replace, by):
        """A bad union index, a negative or overlong length, bad UTF-8: UndecodableBodyError."""
        data = codec.encode("DisclosedEvent", sample_event("DisclosedEvent"))
        assert data.count(replace) == 1
        with pytest.raises(UndecodableBodyError):
            codec.decode(data.replace(replace, by))

    def test_bad_uuid_and_enum_index_are_undecodable(self, codec):
        """A uuid field that is not a UUID, an enum index out of range: UndecodableBodyError."""
        event = sample_event("DisclosureDecided")
        data = codec.encode("DisclosureDecided", event)
        uuid_text = str(event["event_id"]).encode()
        with pytest.raises(UndecodableBodyError, match="ValueError"):
            codec.decode(data.replace(uuid_text, b"z" * 36))
        symbols = CATALOGUE.schema("DisclosureDecided")["fields"]
        decision = next(f for f in symbols if f["name"] == "decision")["type"]["symbols"]
        index = bytes(((decision.index(event["decision"])) << 1,))
        marker = event["subject_event_type"].encode() + index
        assert data.count(marker) == 1
        for bad in (bytes((len(decision) << 1,)), b"\x01"):  # one past the end; -1
            with pytest.raises(UndecodableBodyError, match="IndexError"):
                codec.decode(data.replace(marker, marker[:-1] + bad))

    def test_resolution_still_goes_through_fastavro(self, tmp_path):
        """An older writer schema is resolved by fastavro: no compiled reader for it."""
        definition = json.loads(Catalogue.load().raw("AttendanceMarked"))
        definition["fields"] = [f for f in definition["fields"] if f["name"] != "minutes_late"]
        folder = tmp_path / "education"
        folder.mkdir()
        (folder / "AttendanceMarked.avsc").write_text(json.dumps(definition))
        source = InMemorySchemaSource()
        event = sample_event("AttendanceMarked")
        del event["minutes_late"]
        data = AvroCodec(source, Catalogue.from_directory(tmp_path)).encode(
            "AttendanceMarked", event
        )
        reader = AvroCodec(source)
        decoded = reader.decode(data)
        entry = reader._readers[1]
        assert entry.read is None
        assert entry.reader is not None
        expected = fastavro.schemaless_reader(io.BytesIO(data[5:]), entry.writer, entry.reader)
        assert decoded == expected
        assert "minutes_late" in decoded


class TestMalformedValues:
    @pytest.mark.parametrize(
        ("field_type", "body", "error"),
        [
            ("boolean", b"\x02", ValueError),  # fastavro: True
            ("int", b"\x80\x80\x80\x80\x10", ValueError),  # 2**31: fastavro returns it
            ("long", b"\xff" * 10 + b"\x01", ValueError),  # 11 bytes: fastavro wraps
            ("long", b"\xff" * 9 + b"\x7f", ValueError),  # beyond 64 bits: fastavro wraps
            ("long", b"\x80", IndexError),
            ("string", b"\x01abc", ValueError),
            ("bytes", b"\x81\x01" + b"a" * 70, ValueError),  # -65, two-byte length
            ("bytes", b"\x06ab", EOFError),
            ("float", b"\x00\x00", EOFError),
            ("double", b"\x00" * 7, EOFError),
            ({"type": "fixed", "name": "F", "size": 4}, b"abc", EOFError),
            (["null", "string"], b"\x01", IndexError),  # fastavro: the last branch
            (["null", "string"], b"\x04", IndexError),
            (["null", "int", "string"], b"\x01\x02x", IndexError),
            (["null", "int", "string"], b"\x06", IndexError),
            ({"type": "enum", "name": "E", "symbols": ["a", "b"]}, b"\x01", IndexError),
            ({"type": "enum", "name": "E", "symbols": ["a", "b"]}, b"\x04", IndexError),
            ({"type": "array", "items": "long"}, b"\xfe\xff\xff\xff\x0f", EOFError),
            ({"type": "map", "values": "null"}, b"\xfe\xff\xff\xff\x0f", EOFError),
            ({"type": "array", "items": "null"}, b"\x04", IndexError),
            ({"type": "long", "logicalType": "timestamp-millis"}, TOO_LATE, ValueError),
            ({"type": "long", "logicalType": "timestamp-micros"}, TOO_LATE, ValueError),
            ({"type": "int", "logicalType": "date"}, b"\xfe\xff\xff\xff\x0f", ValueError),
            ({"type": "string", "logicalType": "uuid"}, b"\x02x", ValueError),
        ],
    )
    def test_malformed_values_raise(self, field_type, body, error):
        """Truncations, bad indexes, negative lengths, out-of-range numbers raise, never read."""
        with pytest.raises(error):
            compile_reader(one_field(field_type))(body, 0)

    @settings(max_examples=300, deadline=None)
    @given(data=st.data(), position=st.integers(0, 10_000), byte=st.integers(0, 255))
    def test_corrupted_bodies_are_refused_or_read_as_fastavro(self, data, position, byte):
        """One byte of a body changed: the compiled reader refuses it or reads fastavro's record."""
        record = data.draw(values_of(EVERYTHING, EVERYTHING["__named_schemas"]))
        body = bytearray(fastavro_bytes(EVERYTHING, record))
        body[position % len(body)] = byte
        assert_refused_or_as_fastavro(EVERYTHING, bytes(body))

    @settings(max_examples=300, deadline=None)
    @given(body=st.binary(max_size=200))
    def test_random_bytes_are_refused_or_read_as_fastavro(self, body):
        """Arbitrary bytes as a DisclosedEvent: refused, or exactly what fastavro reads."""
        assert_refused_or_as_fastavro(CATALOGUE.schema("DisclosedEvent"), body)
