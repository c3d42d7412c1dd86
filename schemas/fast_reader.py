"""Avro binary readers compiled once per schema: fastavro's records, in less time.

`compile_reader(parsed)` walks a parsed (fastavro) schema once and returns a function
reading one record's Avro body (no framing) from `data` at `offset`, giving the record
and the offset just past it, through one closure per field with no schema lookups per
call. For well-formed input the record is what `fastavro.schemaless_reader` returns
with no reader schema: the same dict with the same Python types (str, int, bool,
float, bytes, None; an aware UTC datetime for timestamp-millis and -micros, a date for
date, a UUID for uuid, the symbol for an enum, lists, dicts). A schema with a feature
left out here (a decimal or time logical type, any other fastavro logical type) is
read by fastavro itself, every record. Malformed input raises EOFError, ValueError or
IndexError (schemas/avro_value_readers.py), never a wrong value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from io import BytesIO
from typing import Any, cast

import fastavro
from fastavro.read import LOGICAL_READERS

from schemas.avro_logical_readers import LOGICAL
from schemas.avro_value_readers import (
    PRIMITIVES,
    Read,
    array,
    enum,
    fixed,
    map_of,
    optional_string,
    record,
    union,
)

RecordReader = Callable[[bytes, int], tuple[dict[str, Any], int]]

# Types whose every value takes at least one byte: an array of them has no more
# items than bytes. Null, fixed and record values may take none.
_SIZED = frozenset(PRIMITIVES) - {"null"} | {"enum", "array", "map", "union"}


class _UnsupportedSchema(Exception):  # noqa: N818 - control flow, not an error
    """Raised when a schema uses a feature left to fastavro: fastavro reads every record."""


def compile_reader(parsed_schema: dict[str, Any]) -> RecordReader:
    """A function reading a record body at an offset exactly as `fastavro.schemaless_reader`."""
    named: dict[str, Any] = {}
    schema = fastavro.parse_schema(parsed_schema, named)
    fast = compile_fast_reader(schema, named)
    if fast is not None:
        return fast

    def read_with_fastavro(data: bytes, offset: int) -> tuple[dict[str, Any], int]:
        """The record at `offset`, read by fastavro, and where it ends."""
        buffer = BytesIO(data)
        buffer.seek(offset)
        value = fastavro.schemaless_reader(buffer, schema, None)
        return cast("dict[str, Any]", value), buffer.tell()

    return read_with_fastavro


def compile_fast_reader(schema: Any, named: Mapping[str, Any]) -> RecordReader | None:
    """The compiled reader of a parsed schema, or None when the schema is left to fastavro."""
    try:
        return _Compiler(named).compile(schema)
    except _UnsupportedSchema:
        return None


class _Compiler:
    """Compiles a parsed schema into readers, each named type once."""

    def __init__(self, named: Mapping[str, Any]) -> None:
        self._named = named
        self._compiled_names: dict[str, Read] = {}

    def compile(self, schema: Any) -> Read:
        """The reader of a schema: a union, a type definition, a primitive or a name."""
        if isinstance(schema, list):
            return self._union(schema)
        if isinstance(schema, dict) and isinstance(schema.get("type"), str):
            return self._compile_dict(schema)
        if isinstance(schema, str) and schema in PRIMITIVES:
            return PRIMITIVES[schema]
        if isinstance(schema, str) and schema in self._named:
            return self._named_type(self._named[schema])
        raise _UnsupportedSchema(schema)

    def _compile_dict(self, schema: dict[str, Any]) -> Read:
        """The reader of a type definition: logical, named, array, map or primitive."""
        avro_type = schema["type"]
        logical = f"{avro_type}-{schema.get('logicalType')}"
        if schema.get("logicalType") and logical in LOGICAL_READERS:
            if logical not in LOGICAL:
                raise _UnsupportedSchema(logical)
            return LOGICAL[logical]()
        if avro_type in {"record", "error", "enum", "fixed"}:
            return self._named_type(schema)
        if avro_type == "array":
            items = schema["items"]
            return array(self.compile(items), sized=_kind(items, self._named) in _SIZED)
        if avro_type == "map":
            return map_of(self.compile(schema["values"]))
        return self.compile(avro_type)

    def _named_type(self, schema: dict[str, Any]) -> Read:
        """The reader of a record, enum or fixed, compiled once per name."""
        name = schema["name"]
        if name in self._compiled_names:
            return self._compiled_names[name]
        if schema["type"] == "enum":
            compiled = enum(schema["symbols"])
        elif schema["type"] == "fixed":
            compiled = fixed(schema["size"])
        else:  # a record: a field of its own type reaches it through the slot
            slot: list[Read] = []

            def read_recursive(data: bytes, pos: int) -> tuple[Any, int]:
                """The record's reader, once compiled."""
                return slot[0](data, pos)

            self._compiled_names[name] = read_recursive
            compiled = record([(f["name"], self.compile(f["type"])) for f in schema["fields"]])
            slot.append(compiled)
        self._compiled_names[name] = compiled
        return compiled

    def _union(self, branches: list[Any]) -> Read:
        """The reader of a union: null and string in one test, others by index."""
        if sorted(map(str, branches)) == ["null", "string"]:
            return optional_string(branches.index("null"), branches.index("string"))
        return union([self.compile(branch) for branch in branches])


def _kind(schema: Any, named: Mapping[str, Any]) -> str:
    """The Avro type of a (parsed) schema, "union" for a union."""
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, str):
        return str(named[schema]["type"]) if schema in named else schema
    return str(schema["type"]) if isinstance(schema["type"], str) else "record"
