"""Avro binary writers compiled once per schema: fastavro's bytes, in less time.

`compile_writer(parsed)` walks a parsed (fastavro) schema once and returns a function
that writes one record's Avro body (no framing) through one closure per field, with no
schema lookups per call. Its output is byte for byte what `fastavro.schemaless_writer`
writes: arrays and maps as one block (count, items, 0), unions as branch index and value.
Varints come from tables built on first use.

A value takes the fast path when its Python type is the one the Avro type means: str
for string, int for int and long, float or int for float and double, bytes for bytes
and fixed, a datetime (aware or naive) or an int for timestamp-millis and -micros, a date
or an int for date, a UUID or a str for uuid, a list or tuple for array, a dict for map
and record. Any other value, and any schema with a feature left out here (a union that
fastavro resolves by value rather than by Python type, a decimal or time logical type),
is written by fastavro itself, so bytes and errors stay fastavro's. Where fastavro would
silently write a wrong value, the writer raises instead: TypeError for a non-bool in a
boolean, a bool or float in an int or long, a bool in a float or double, a str, bytes or
mapping in an array, anything but None in a null; ValueError for an int beyond 32 bits
in an int, an unknown enum symbol, a fixed of the wrong size, a missing required field.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from io import BytesIO
from typing import Any

import fastavro
from fastavro.write import LOGICAL_WRITERS

from schemas.avro_value_writers import (
    LOGICAL,
    NONE,
    PRIMITIVES,
    RECORD_TYPES,
    Compiled,
    OffFastPath,
    Write,
    array,
    enum,
    fixed,
    map_of,
    optional_string,
    varints,
)

RecordWriter = Callable[[Mapping[str, Any]], bytes]


class _UnsupportedSchema(Exception):  # noqa: N818 - control flow, not an error
    """Raised when a schema uses a feature left to fastavro: fastavro writes every record."""


def compile_writer(parsed_schema: dict[str, Any]) -> RecordWriter:
    """A function writing a record's Avro body exactly as `fastavro.schemaless_writer` does."""
    named: dict[str, Any] = {}
    schema = fastavro.parse_schema(parsed_schema, named)

    def write_with_fastavro(record: Mapping[str, Any]) -> bytes:
        buffer = BytesIO()
        fastavro.schemaless_writer(buffer, schema, record)
        return buffer.getvalue()

    fast = compile_fast_path(schema, named)
    if fast is None:
        return write_with_fastavro

    def write(record: Mapping[str, Any]) -> bytes:
        try:
            return fast(record)
        except OffFastPath:
            return write_with_fastavro(record)

    return write


def compile_fast_path(schema: Any, named: Mapping[str, Any]) -> Callable[[Any], bytes] | None:
    """The fast path of a parsed schema, or None when the schema is left to fastavro."""
    try:
        return _Compiler(named).compile(schema, "record").write
    except _UnsupportedSchema:
        return None


class _Compiler:
    def __init__(self, named: Mapping[str, Any]) -> None:
        self._named = named
        self._compiled_names: dict[str, Compiled] = {}

    def compile(self, schema: Any, where: str) -> Compiled:
        if isinstance(schema, list):
            return self._union(schema, where)
        if isinstance(schema, dict) and isinstance(schema.get("type"), str):
            return self._compile_dict(schema, where)
        if isinstance(schema, str) and schema in PRIMITIVES:
            return PRIMITIVES[schema](where)
        if isinstance(schema, str) and schema in self._named:
            return self._named_type(self._named[schema])
        raise _UnsupportedSchema(schema)

    def _compile_dict(self, schema: dict[str, Any], where: str) -> Compiled:
        avro_type = schema["type"]
        logical = f"{avro_type}-{schema.get('logicalType')}"
        if schema.get("logicalType") and logical in LOGICAL_WRITERS:
            if logical not in LOGICAL:
                raise _UnsupportedSchema(logical)
            return LOGICAL[logical](where)
        if avro_type in {"record", "error", "enum", "fixed"}:
            return self._named_type(schema)
        if avro_type == "array":
            return array(self.compile(schema["items"], f"{where}[]").write, where)
        if avro_type == "map":
            return map_of(self.compile(schema["values"], f"{where}{{}}").write)
        return self.compile(avro_type, where)

    def _named_type(self, schema: dict[str, Any]) -> Compiled:
        name = schema["name"]
        if name in self._compiled_names:
            return self._compiled_names[name]
        if schema["type"] == "enum":
            compiled = enum(schema["symbols"], name)
        elif schema["type"] == "fixed":
            compiled = fixed(schema["size"], name)
        else:  # a record: a field of its own type reaches it through the slot
            slot: list[Write] = []

            def write_recursive(value: Any) -> bytes:
                return slot[0](value)

            self._compiled_names[name] = Compiled(write_recursive, *RECORD_TYPES)
            compiled = Compiled(self._record(schema["fields"]), *RECORD_TYPES)
            slot.append(compiled.write)
        self._compiled_names[name] = compiled
        return compiled

    def _record(self, fields: list[dict[str, Any]]) -> Write:
        compiled = []
        for field in fields:
            name, field_type = field["name"], field["type"]
            # fastavro writes a missing field's default, or None when the type names null
            optional = "default" in field or "null" in field_type
            write = self.compile(field_type, name).write
            compiled.append((name, optional, field.get("default"), write))
        return _record(compiled)

    def _union(self, branches: list[Any], where: str) -> Compiled:
        compiled = [self.compile(branch, where) for branch in branches]
        kinds: set[str] = set()
        for branch in compiled:
            if kinds & branch.kinds:
                raise _UnsupportedSchema(f"{where}: a union resolved by value")
            kinds |= branch.kinds
        if sorted(map(str, branches)) == ["null", "string"]:
            write = optional_string(branches.index("null"), branches.index("string"))
            return Compiled(write, frozenset({NONE, str}), frozenset(kinds))
        lengths = varints().lengths
        table = {
            python_type: (lengths[index], branch.write)
            for index, branch in enumerate(compiled)
            for python_type in branch.fast_types
        }
        return Compiled(_union(table), frozenset(table), frozenset(kinds))


def _record(fields: list[tuple[str, bool, Any, Write]]) -> Write:
    names = tuple(name for name, _, _, _ in fields)
    writers = tuple(write for _, _, _, write in fields)
    if not names:
        return _empty_record
    values_of = operator.itemgetter(*names, names[0])  # a tuple even for one field
    call = operator.call

    def with_defaults(value: dict[str, Any]) -> list[Any]:
        values = []
        for name, optional, default, _ in fields:
            if name in value:
                values.append(value[name])
            elif optional:
                values.append(default)
            else:
                raise ValueError(f"no value and no default for {name}")
        return values

    def write_record(value: Any) -> bytes:
        if type(value) is not dict or "-type" in value:
            raise OffFastPath
        try:
            values = values_of(value)
        except KeyError:
            values = with_defaults(value)
        return b"".join(map(call, writers, values))

    return write_record


def _empty_record(value: Any) -> bytes:
    if type(value) is not dict:
        raise OffFastPath
    return b""


def _union(table: Mapping[type, tuple[bytes, Write]]) -> Write:
    null_index = table[NONE][0] if NONE in table else None
    others = {
        python_type: branch for python_type, branch in table.items() if python_type is not NONE
    }

    def write_union(value: Any) -> bytes:
        if value is None and null_index is not None:
            return null_index
        branch = others.get(type(value))
        if branch is None:
            raise OffFastPath
        return branch[0] + branch[1](value)

    return write_union
