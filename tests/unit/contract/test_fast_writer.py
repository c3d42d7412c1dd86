"""The compiled Avro writer: fastavro's bytes for every schema, errors for wrong values."""

import io
import time
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec, schema_id_of, wire_prefix
from schemas.exceptions import UnencodableRecordError
from schemas.fast_writer import compile_fast_path, compile_writer
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource

CATALOGUE = Catalogue.load()
NON_ASCII = "Zoë Łódź — 日本語 🚸 "
ZONES = (UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8)))

EVERYTHING = fastavro.parse_schema(
    {
        "type": "record",
        "name": "Everything",
        "namespace": "test",
        "fields": [
            {"name": "nothing", "type": "null"},
            {"name": "flag", "type": "boolean"},
            {"name": "small", "type": "int"},
            {"name": "big", "type": "long"},
            {"name": "ratio", "type": "float"},
            {"name": "precise", "type": "double"},
            {"name": "text", "type": "string"},
            {"name": "blob", "type": "bytes"},
            {"name": "digest", "type": {"type": "fixed", "name": "Digest", "size": 4}},
            {
                "name": "colour",
                "type": {"type": "enum", "name": "Colour", "symbols": ["red", "green", "blue"]},
            },
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {"name": "counts", "type": {"type": "map", "values": "long"}},
            {
                "name": "items",
                "type": {
                    "type": "array",
                    "items": {
                        "type": "record",
                        "name": "Item",
                        "fields": [
                            {
                                "name": "at",
                                "type": {"type": "long", "logicalType": "timestamp-micros"},
                            },
                            {
                                "name": "on",
                                "type": ["null", {"type": "int", "logicalType": "date"}],
                            },
                        ],
                    },
                },
            },
            {"name": "item", "type": ["null", "Item"]},
            {"name": "null_last", "type": ["string", "null"], "default": "x"},
            {"name": "maybe_map", "type": ["null", {"type": "map", "values": "double"}]},
            {"name": "maybe_list", "type": ["null", {"type": "array", "items": "int"}]},
            {"name": "choice", "type": ["null", "boolean", "long", "string", "bytes"]},
            {"name": "colour_again", "type": "Colour", "default": "green"},
            {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "when", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "maybe_float", "type": ["null", "float"]},
        ],
    }
)
NODE = fastavro.parse_schema(
    {
        "type": "record",
        "name": "Node",
        "fields": [{"name": "value", "type": "long"}, {"name": "next", "type": ["null", "Node"]}],
    }
)


def fastavro_bytes(schema: dict[str, Any], record: Any) -> bytes:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema, record)
    return buffer.getvalue()


def assert_same_bytes(schema: dict[str, Any], record: Any) -> None:
    assert compile_writer(schema)(record) == fastavro_bytes(schema, record)


def assert_fast_path_matches(schema: dict[str, Any], record: Any) -> None:
    """The fast path itself, with no help from fastavro, writes fastavro's bytes."""
    fast = compile_fast_path(schema, schema["__named_schemas"])
    assert fast is not None
    assert fast(record) == fastavro_bytes(schema, record)


def one_field(field_type: Any, **extra: Any) -> dict[str, Any]:
    """A parsed record schema with one field `f` of `field_type`."""
    field = {"name": "f", "type": field_type, **extra}
    return fastavro.parse_schema({"type": "record", "name": "One", "fields": [field]})


def has_fast_path(schema: dict[str, Any]) -> bool:
    return compile_fast_path(schema, schema["__named_schemas"]) is not None


# Variations of a sample event, applied by Avro type through the whole event.
def _leaf(kind: str, logical: str | None, value: Any, variant: str) -> Any:  # noqa: C901, PLR0911, PLR0912
    if logical == "timestamp-millis":
        if variant == "wire":
            return (value - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
        if variant == "low_numbers":
            return datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
        if variant == "high_numbers":
            return datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
        if variant == "other_zone":
            return value.astimezone(ZONES[1]).replace(microsecond=999_999)
    if logical == "date":
        if variant == "wire":
            return (value - date(1970, 1, 1)).days
        if variant in {"low_numbers", "high_numbers"}:
            return date.min if variant == "low_numbers" else date.max
    if logical == "uuid":
        return str(value) if variant == "wire" else value
    if kind == "int" and variant in {"low_numbers", "high_numbers"}:
        return -(2**31) if variant == "low_numbers" else 2**31 - 1
    if kind == "boolean" and variant == "low_numbers":
        return False
    if kind == "string" and logical is None:
        if variant == "non_ascii":
            return NON_ASCII + value
        if variant == "long_strings":
            return (value or "x") * 300
        if variant == "huge_strings":
            return "é" * 5000 + value
    return value


def vary(schema: Any, value: Any, variant: str, named: dict[str, Any]) -> Any:
    """`value` of `schema` changed by `variant` wherever its type allows."""
    if isinstance(schema, list):
        if value is None or (variant == "nulls" and "null" in schema):
            return None
        return vary(next(b for b in schema if b != "null"), value, variant, named)
    if isinstance(schema, str) and schema in named:
        return vary(named[schema], value, variant, named)
    kind = schema["type"] if isinstance(schema, dict) else schema
    if kind == "record":
        return {
            f["name"]: vary(f["type"], value[f["name"]], variant, named)
            for f in schema["fields"]
            if not (variant == "omitted" and ("default" in f or "null" in f["type"]))
        }
    if kind == "array":
        items = [vary(schema["items"], item, variant, named) for item in value]
        return {"empty_arrays": [], "many_items": items * 3}.get(variant, items)
    logical = schema.get("logicalType") if isinstance(schema, dict) else None
    return _leaf(kind, logical, value, variant)


VARIANTS = (
    "sample",
    "nulls",
    "omitted",
    "non_ascii",
    "long_strings",
    "huge_strings",
    "wire",
    "low_numbers",
    "high_numbers",
    "other_zone",
    "empty_arrays",
    "many_items",
)


def values_of(schema: Any, named: dict[str, Any]) -> st.SearchStrategy[Any]:  # noqa: C901, PLR0911
    """Every value fastavro accepts for `schema`, in the forms callers use."""
    if isinstance(schema, list):
        return st.one_of([values_of(branch, named) for branch in schema])
    if isinstance(schema, str) and schema in named:
        return st.deferred(lambda: values_of(named[schema], named))
    kind = schema["type"] if isinstance(schema, dict) else schema
    logical = schema.get("logicalType") if isinstance(schema, dict) else None
    if logical in {"timestamp-millis", "timestamp-micros"}:
        aware = st.datetimes(timezones=st.sampled_from(ZONES))
        return aware | st.datetimes() | st.integers(-(2**63), 2**63 - 1)
    if logical == "date":
        return st.dates() | st.integers(-(2**31), 2**31 - 1)
    if logical == "uuid":
        return st.uuids() | st.uuids().map(str) | st.text()
    if kind == "record":
        fields = schema["fields"]
        optional = {f["name"] for f in fields if "default" in f or "null" in f["type"]}
        strategies = {f["name"]: values_of(f["type"], named) for f in fields}
        return st.fixed_dictionaries(
            {name: s for name, s in strategies.items() if name not in optional},
            optional={name: s for name, s in strategies.items() if name in optional},
        )
    if kind == "array":
        return st.lists(values_of(schema["items"], named), max_size=4)
    if kind == "map":
        return st.dictionaries(st.text(max_size=6), values_of(schema["values"], named), max_size=4)
    if kind == "enum":
        return st.sampled_from(schema["symbols"])
    if kind == "fixed":
        return st.binary(min_size=schema["size"], max_size=schema["size"])
    return {
        "null": st.none(),
        "boolean": st.booleans(),
        "int": st.integers(-(2**31), 2**31 - 1),
        "long": st.integers(-(2**63), 2**63 - 1),
        "float": st.floats(width=32) | st.integers(-(2**24), 2**24),
        "double": st.floats() | st.integers(-(2**53), 2**53),
        "string": st.text(),
        "bytes": st.binary() | st.binary().map(bytearray),
    }[kind]


class TestCatalogue:
    def test_every_event_type_has_a_fast_path(self):
        """No schema in the catalogue is left to fastavro at compile time."""
        for event_type in CATALOGUE.event_types:
            assert has_fast_path(CATALOGUE.schema(event_type)), event_type

    @pytest.mark.parametrize("variant", VARIANTS)
    @pytest.mark.parametrize("event_type", CATALOGUE.event_types)
    def test_sample_variations_match_fastavro(self, event_type, variant):
        """Samples and their variations (nulls, non-ASCII, wire forms, extremes) match fastavro."""
        schema = CATALOGUE.schema(event_type)
        event = vary(schema, sample_event(event_type), variant, schema["__named_schemas"])
        assert_fast_path_matches(schema, event)

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
    def test_generated_events_match_fastavro(self, event_type, data):
        """Any well-typed event of a representative schema is written as fastavro writes it."""
        schema = CATALOGUE.schema(event_type)
        assert_fast_path_matches(schema, data.draw(values_of(schema, schema["__named_schemas"])))


class TestEveryType:
    def test_synthetic_schemas_have_a_fast_path(self):
        """A schema using every type, and a recursive one, compile to a fast path."""
        assert has_fast_path(EVERYTHING)
        assert has_fast_path(NODE)

    @settings(max_examples=400, deadline=None)
    @given(data=st.data())
    def test_generated_records_match_fastavro(self, data):
        """Any well-typed record of a schema using every Avro type matches fastavro."""
        record = data.draw(values_of(EVERYTHING, EVERYTHING["__named_schemas"]))
        assert_fast_path_matches(EVERYTHING, record)

    @settings(max_examples=100, deadline=None)
    @given(data=st.data())
    def test_recursive_records_match_fastavro(self, data):
        """A record type that contains itself is written as fastavro writes it."""
        assert_fast_path_matches(NODE, data.draw(values_of(NODE, NODE["__named_schemas"])))

    @pytest.mark.parametrize(
        ("field_type", "value", "expected"),
        [
            ({"type": "array", "items": "string"}, ["a", "b"], b"\x04\x02a\x02b\x00"),
            ({"type": "array", "items": "string"}, [], b"\x00"),
            ({"type": "array", "items": "int"}, [0] * 70, b"\x8c\x01" + b"\x00" * 71),
            ({"type": "map", "values": "int"}, {"k": 1}, b"\x02\x02k\x02\x00"),
            ({"type": "map", "values": "int"}, {}, b"\x00"),
        ],
    )
    def test_arrays_and_maps_are_one_block(self, field_type, value, expected):
        """An array or map is one block, count then items then 0, as fastavro writes it."""
        schema = one_field(field_type)
        assert (
            compile_writer(schema)({"f": value}) == expected == fastavro_bytes(schema, {"f": value})
        )

    @pytest.mark.parametrize(
        ("field_type", "value"),
        [
            ("long", -(2**63)),
            ("long", 2**63 - 1),
            ("long", -1),
            ("long", 8191),  # the last value in the varint table, and the first past it
            ("long", 8192),
            ("long", -8193),
            ("long", 2**27),  # where the varint grows from 4 bytes to 5
            ("long", 2**41 - 1),  # the last value of the 6-byte shortcut, and the first past it
            ("long", 2**41),
            ("long", 2**27 - 1),
            ({"type": "long", "logicalType": "timestamp-millis"}, 2**27 - 1),
            ({"type": "long", "logicalType": "timestamp-millis"}, 2**27),
            ({"type": "long", "logicalType": "timestamp-millis"}, 2**41 - 1),
            ({"type": "long", "logicalType": "timestamp-millis"}, 2**41),
            ({"type": "long", "logicalType": "timestamp-millis"}, -(2**27)),
            ({"type": "long", "logicalType": "timestamp-millis"}, -(2**41) - 1),
            (
                {"type": "long", "logicalType": "timestamp-millis"},
                datetime(2039, 9, 7, 15, 47, 35, 552_000, tzinfo=UTC),  # 2**41 ms
            ),
            ("string", "x" * 8191),  # the last length in the prefix table, and the first past it
            ("string", "x" * 8192),
            (["null", "string"], "x" * 8191),
            (["null", "string"], "x" * 8192),
            ("bytes", bytes(8191)),
            ("bytes", bytes(8192)),
            ({"type": "array", "items": "null"}, [None] * 8192),
            ({"type": "map", "values": "null"}, {str(n): None for n in range(8192)}),
            ({"type": "map", "values": "null"}, {"é" * 4096: None}),
            ("int", -(2**31)),
            ("float", float("nan")),
            ("float", float("-inf")),
            ("float", 3.4e38),
            ("double", -0.0),
            ("string", "é" * 10_000),
            ("bytes", bytes(10_000)),
            ({"type": "long", "logicalType": "timestamp-millis"}, datetime.min.replace(tzinfo=UTC)),
            ({"type": "long", "logicalType": "timestamp-micros"}, datetime.max.replace(tzinfo=UTC)),
            ({"type": "int", "logicalType": "date"}, date(1969, 12, 31)),
        ],
    )
    def test_edge_values_match_fastavro(self, field_type, value):
        """Extreme numbers, special floats and long strings are written as fastavro writes them."""
        assert_same_bytes(one_field(field_type), {"f": value})


class Colour(StrEnum):
    RED = "red"


class Size(IntEnum):
    LARGE = 3


class TestLeftToFastavro:
    @pytest.mark.parametrize(
        "field_type",
        [
            ["int", "long"],
            ["float", "double"],
            ["string", {"type": "enum", "name": "E", "symbols": ["red"]}],
            ["null", "string", {"type": "string", "logicalType": "uuid"}],
            [
                {"type": "int", "logicalType": "date"},
                {"type": "long", "logicalType": "timestamp-millis"},
            ],
            [
                {"type": "record", "name": "A", "fields": [{"name": "a", "type": "int"}]},
                {"type": "record", "name": "B", "fields": [{"name": "b", "type": "int"}]},
            ],
            [{"type": "map", "values": "int"}, {"type": "record", "name": "C", "fields": []}],
            {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2},
            {"type": "int", "logicalType": "time-millis"},
        ],
    )
    def test_schemas_resolved_by_value_go_to_fastavro(self, field_type):
        """A union fastavro resolves by value, or a decimal or time type, is written by fastavro."""
        schema = one_field(field_type)
        assert not has_fast_path(schema)
        compared = 0
        for value in (1, 2**40, 1.5, "red", {"a": 1}, {"b": 2}, Decimal("1.25"), date(2024, 1, 2)):
            try:
                expected = fastavro_bytes(schema, {"f": value})
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
                continue
            assert compile_writer(schema)({"f": value}) == expected
            compared += 1
        assert compared

    @pytest.mark.parametrize(
        ("field_type", "value"),
        [
            (["null", "string"], Colour.RED),
            ({"type": "enum", "name": "E", "symbols": ["red"]}, Colour.RED),
            ("string", Colour.RED),
            (["null", "string"], ("string", "tuple notation")),
            ({"type": "int", "logicalType": "date"}, "2024-01-02"),
            ({"type": "int", "logicalType": "date"}, datetime(2024, 1, 2, 23, tzinfo=UTC)),
            ("long", Size.LARGE),
            ("float", 1e300),
            ("double", "NaN"),
            ({"type": "fixed", "name": "F", "size": 2}, bytearray(b"ab")),
            ("bytes", memoryview(b"ab")),
            ({"type": "array", "items": "string"}, {"only"}),
            ({"type": "map", "values": "int"}, OrderedDict(a=1)),
            (["null", {"type": "record", "name": "R", "fields": []}], {"-type": "R"}),
        ],
    )
    def test_values_off_the_fast_path_match_fastavro(self, field_type, value):
        """Values of other Python types (StrEnum, tuple notation, ISO dates...) match fastavro."""
        assert_same_bytes(one_field(field_type), {"f": value})

    def test_generator_for_an_array_matches_fastavro(self):
        """A generator for an array is left to fastavro unread, then written whole."""
        schema = one_field({"type": "array", "items": "string"})
        written = compile_writer(schema)({"f": (tag for tag in ("a", "b"))})
        assert written == fastavro_bytes(schema, {"f": (tag for tag in ("a", "b"))})

    def test_other_mappings_match_fastavro(self):
        """A record given as another kind of mapping is written by fastavro."""
        schema = CATALOGUE.schema("DisclosedEvent")
        event = sample_event("DisclosedEvent")
        for record in (MappingProxyType(event), OrderedDict(event)):
            assert compile_writer(schema)(record) == fastavro_bytes(schema, event)


@pytest.fixture(params=["UTC", "Europe/London", "America/St_Johns", "Australia/Lord_Howe"])
def local_zone(request, monkeypatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


class TestNaiveDatetimes:
    @pytest.mark.parametrize("logical", ["timestamp-millis", "timestamp-micros"])
    def test_naive_datetimes_are_local_time_as_in_fastavro(self, local_zone, logical):
        """A naive datetime is read as local time, through mktime, exactly as fastavro does."""
        schema = one_field({"type": "long", "logicalType": logical})
        for moment in (
            "2024-03-31T01:30:00.999999",  # London: a time that does not exist
            "2024-10-27T01:30:00.000001",  # London: a time that happens twice
            "2024-04-07T01:45:00",  # Lord Howe: half an hour that happens twice
            "1969-12-31T23:59:59.999999",
            "1900-01-01T00:00:00",
            "9999-12-31T23:59:59.999999",
        ):
            naive = datetime.fromisoformat(moment)
            assert naive.tzinfo is None
            assert_same_bytes(schema, {"f": naive})


class TestWrongValues:
    def test_missing_required_field(self):
        """A record without a required field raises ValueError naming it."""
        event = sample_event("DisclosedEvent")
        del event["recipient"]
        with pytest.raises(ValueError, match="recipient"):
            compile_writer(CATALOGUE.schema("DisclosedEvent"))(event)

    def test_missing_field_in_nested_record(self):
        """A nested record without a required field raises ValueError naming it."""
        event = sample_event("DisclosedEvent")
        event["source"] = {"system": "x"}
        with pytest.raises(ValueError, match="agency"):
            compile_writer(CATALOGUE.schema("DisclosedEvent"))(event)

    def test_unknown_enum_symbol(self):
        """A symbol not in the enum raises ValueError."""
        event = sample_event("DisclosureDecided", decision="maybe")
        with pytest.raises(ValueError, match="maybe"):
            compile_writer(CATALOGUE.schema("DisclosureDecided"))(event)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("child_ref", None), ("child_ref", 7), ("child_ref", b"bytes"), ("event_id", 7)],
    )
    def test_wrong_type_for_a_string(self, field, value):
        """A non-string in a string field raises TypeError, as in fastavro."""
        event = sample_event("DisclosedEvent", **{field: value})
        with pytest.raises(TypeError):
            compile_writer(CATALOGUE.schema("DisclosedEvent"))(event)

    def test_value_of_no_union_branch(self):
        """A value matching no branch of a union raises ValueError, as in fastavro."""
        event = sample_event("DisclosedEvent", correlation_id=7)
        with pytest.raises(ValueError, match="do not match"):
            compile_writer(CATALOGUE.schema("DisclosedEvent"))(event)

    @pytest.mark.parametrize(
        ("field_type", "value"),
        [
            ("boolean", "no"),
            ("boolean", None),
            ("boolean", 1),
            ("int", 1.5),
            ("int", True),
            ("long", 2.0),
            ({"type": "long", "logicalType": "timestamp-millis"}, 1.5e12),
            ({"type": "int", "logicalType": "date"}, False),
            ("double", True),
            ({"type": "array", "items": "string"}, "abc"),
            ({"type": "array", "items": "int"}, b"ab"),
            ({"type": "array", "items": "string"}, {"a": "b"}),
            ("null", 0),
        ],
    )
    def test_values_fastavro_would_write_wrongly_raise(self, field_type, value):
        """A value fastavro would coerce silently (truthiness, truncation) raises TypeError."""
        with pytest.raises(TypeError, match="expected"):
            compile_writer(one_field(field_type))({"f": value})

    @pytest.mark.parametrize(
        ("field_type", "value", "message"),
        [
            ("int", 2**31, "32 bits"),
            ("int", -(2**31) - 1, "32 bits"),
            ("long", 2**63, "64 bits"),
            ("long", -(2**63) - 1, "64 bits"),
            ({"type": "int", "logicalType": "date"}, 2**31, "32 bits"),
            ({"type": "long", "logicalType": "timestamp-millis"}, 2**63, "64 bits"),
            ({"type": "fixed", "name": "F", "size": 4}, b"abc", "fixed of 4"),
        ],
    )
    def test_values_out_of_range_raise(self, field_type, value, message):
        """An int beyond its type's bits, or a fixed of the wrong size, raises ValueError."""
        with pytest.raises(ValueError, match=message):
            compile_writer(one_field(field_type))({"f": value})


class TestInTheCodec:
    def test_codec_frames_fastavro_bytes(self):
        """AvroCodec.encode writes the header and then exactly fastavro's body."""
        codec = AvroCodec(InMemorySchemaSource())
        for event_type in CATALOGUE.event_types:
            event = sample_event(event_type)
            data = codec.encode(event_type, event)
            body = fastavro_bytes(CATALOGUE.schema(event_type), event)
            assert data == wire_prefix(schema_id_of(data)) + body, event_type

    def test_wrong_value_is_unencodable(self):
        """A value the writer refuses reaches the caller as UnencodableRecordError."""
        codec = AvroCodec(InMemorySchemaSource())
        event = sample_event("DisclosureDecided", override="yes")
        with pytest.raises(UnencodableRecordError, match="override: expected a bool"):
            codec.encode("DisclosureDecided", event)
