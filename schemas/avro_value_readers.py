"""Readers of single Avro values for the compiled record reader (schemas/fast_reader.py).

Each reader takes the message and the offset of its value and returns the value,
as `fastavro.schemaless_reader` returns it, with the offset just past it. Input
fastavro would reject raises what fastavro raises or another of EOFError,
ValueError and IndexError; input fastavro would read into a wrong value (a varint
beyond 64 bits, an int beyond 32, a boolean byte other than 0 or 1, a negative
union or enum index) raises ValueError or IndexError instead. The logical types
are in schemas/avro_logical_readers.py.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

Read = Callable[[bytes, int], tuple[Any, int]]

_LONG_BITS: Final = 64
_MAX_VARINT: Final = 10  # bytes of the longest 64-bit varint
_INT_MIN: Final = -(1 << 31)
_INT_MAX: Final = (1 << 31) - 1


def _varint_tail(data: bytes, pos: int) -> tuple[int, int]:
    """A zig-zag varint of more than one byte starting at `pos`."""
    value = data[pos] & 0x7F
    shift = 7
    for end in range(pos + 1, pos + _MAX_VARINT):
        byte = data[end]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            if value >> _LONG_BITS:
                raise ValueError("varint beyond 64 bits")
            return (value >> 1) ^ -(value & 1), end + 1
        shift += 7
    raise ValueError(f"varint longer than {_MAX_VARINT} bytes")


def read_long(data: bytes, pos: int) -> tuple[int, int]:
    """An Avro long: a zig-zag varint."""
    byte = data[pos]
    if byte < 0x80:
        return (byte >> 1) ^ -(byte & 1), pos + 1
    return _varint_tail(data, pos)


def read_int(data: bytes, pos: int) -> tuple[int, int]:
    """An Avro int: a zig-zag varint within 32 bits."""
    byte = data[pos]
    if byte < 0x80:
        return (byte >> 1) ^ -(byte & 1), pos + 1
    value, pos = _varint_tail(data, pos)
    if _INT_MIN <= value <= _INT_MAX:
        return value, pos
    raise ValueError(f"{value} does not fit in an int")


def _read_null(data: bytes, pos: int) -> tuple[None, int]:  # noqa: ARG001 - a reader's shape
    """An Avro null: no bytes."""
    return None, pos


def _read_boolean(data: bytes, pos: int) -> tuple[bool, int]:
    """An Avro boolean: one byte, 0 or 1."""
    byte = data[pos]
    if byte > 1:
        raise ValueError(f"boolean byte {byte}")
    return byte == 1, pos + 1


def _real(layout: str) -> Read:
    """An Avro float or double: 4 or 8 little-endian bytes (`layout` for struct)."""
    unpack_from = struct.Struct(layout).unpack_from
    size = struct.calcsize(layout)

    def read_real(data: bytes, pos: int) -> tuple[float, int]:
        end = pos + size
        if end > len(data):
            raise EOFError(f"{end - len(data)} byte(s) missing from a {size}-byte float")
        return unpack_from(data, pos)[0], end

    return read_real


def _span(data: bytes, pos: int) -> tuple[int, int]:
    """Start and end of a length-prefixed value (bytes or string) whose prefix is at `pos`."""
    byte = data[pos]
    if byte < 0x80:
        if byte & 1:
            raise ValueError("negative length")
        start, end = pos + 1, pos + 1 + (byte >> 1)
    else:
        length, start = _varint_tail(data, pos)
        if length < 0:
            raise ValueError("negative length")
        end = start + length
    if end > len(data):
        raise EOFError(f"{end - len(data)} byte(s) missing from a {end - start}-byte value")
    return start, end


def read_string(data: bytes, pos: int) -> tuple[str, int]:
    """An Avro string: UTF-8, strictly (UnicodeDecodeError is a ValueError)."""
    byte = data[pos]
    if byte < 0x80 and not byte & 1:  # a length below 64: inline
        end = pos + 1 + (byte >> 1)
        if end <= len(data):
            return data[pos + 1 : end].decode(), end
    start, end = _span(data, pos)
    return data[start:end].decode(), end


def _read_bytes(data: bytes, pos: int) -> tuple[bytes, int]:
    """Avro bytes: a length, then the bytes."""
    start, end = _span(data, pos)
    return bytes(data[start:end]), end


def fixed(size: int) -> Read:
    """An Avro fixed of `size` bytes."""

    def read_fixed(data: bytes, pos: int) -> tuple[bytes, int]:
        end = pos + size
        if end > len(data):
            raise EOFError(f"{end - len(data)} byte(s) missing from a fixed of {size}")
        return bytes(data[pos:end]), end

    return read_fixed


def enum(symbols: Sequence[str]) -> Read:
    """An Avro enum: the symbol at the index."""
    table = tuple(symbols)

    def read_enum(data: bytes, pos: int) -> tuple[str, int]:
        index, pos = read_long(data, pos)
        if index < 0:
            raise IndexError(f"enum index {index}")
        return table[index], pos

    return read_enum


def _count(data: bytes, pos: int, *, sized: bool) -> tuple[int, int]:
    """The item count of an array or map block; a negative count is followed by a byte size.

    When every item takes at least one byte (`sized`), a count beyond the bytes left is
    refused before reading: a corrupt count never fills memory.
    """
    count, pos = read_long(data, pos)
    if count < 0:
        _, pos = read_long(data, pos)
        count = -count
    if sized and count > len(data) - pos:
        raise EOFError(f"{count} items in {len(data) - pos} byte(s)")
    return count, pos


def array(item: Read, *, sized: bool) -> Read:
    """An Avro array: blocks of items up to a block of 0; `sized`: no item takes 0 bytes."""

    def read_array(data: bytes, pos: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        count, pos = _count(data, pos, sized=sized)
        while count:
            for _ in range(count):
                value, pos = item(data, pos)
                items.append(value)
            count, pos = _count(data, pos, sized=sized)
        return items, pos

    return read_array


def map_of(item: Read) -> Read:
    """An Avro map: blocks of string keys and values up to a block of 0."""

    def read_map(data: bytes, pos: int) -> tuple[dict[str, Any], int]:
        entries: dict[str, Any] = {}
        count, pos = _count(data, pos, sized=True)
        while count:
            for _ in range(count):
                key, pos = read_string(data, pos)
                entries[key], pos = item(data, pos)
            count, pos = _count(data, pos, sized=True)
        return entries, pos

    return read_map


def record(fields: Sequence[tuple[str, Read]]) -> Read:
    """An Avro record: its fields in order, into a dict."""
    pairs = tuple(fields)

    def read_record(data: bytes, pos: int) -> tuple[dict[str, Any], int]:
        value: dict[str, Any] = {}
        for name, read in pairs:
            value[name], pos = read(data, pos)
        return value, pos

    return read_record


def union(branches: Sequence[Read]) -> Read:
    """An Avro union: the branch index, then that branch's value."""
    table = tuple(branches)

    def read_union(data: bytes, pos: int) -> tuple[Any, int]:
        index, pos = read_long(data, pos)
        if index < 0:
            raise IndexError(f"union index {index}")
        return table[index](data, pos)

    return read_union


def optional_string(null: int, string: int) -> Read:
    """The union of null and string, the commonest field type, read with one byte's test."""
    null_byte, string_byte = null << 1, string << 1

    def read_optional_string(data: bytes, pos: int) -> tuple[str | None, int]:
        byte = data[pos]
        if byte == string_byte:
            return read_string(data, pos + 1)
        if byte == null_byte:
            return None, pos + 1
        raise IndexError(f"union index byte {byte} of a null and string union")

    return read_optional_string


PRIMITIVES: Final[Mapping[str, Read]] = {
    "null": _read_null,
    "boolean": _read_boolean,
    "int": read_int,
    "long": read_long,
    "float": _real("<f"),
    "double": _real("<d"),
    "string": read_string,
    "bytes": _read_bytes,
}
