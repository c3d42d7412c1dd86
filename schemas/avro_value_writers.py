"""Writers of single Avro values for the compiled record writer (schemas/fast_writer.py).

Each factory returns the writer of one Avro type with the Python types it
writes on the fast path; a value it cannot write exactly as fastavro would
raises OffFastPath (fastavro then writes the record) or, where fastavro would
write it wrongly, TypeError or ValueError. Varints come from tables built on
first use.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cache
from time import mktime
from typing import Any, Final, NamedTuple
from uuid import UUID

Write = Callable[[Any], bytes]
_Varint = Callable[[int], bytes]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = 719_163  # date(1970, 1, 1).toordinal(), fastavro's DAYS_SHIFT
_SMALL: Final = 1 << 14  # varints of values below this come from a table
_MASK: Final = _SMALL - 1
# Epoch milliseconds from 1970-01-02 to 2039-09-07 are 6-byte varints, written in 3 lookups.
_SIX_BYTES_LOW: Final = 1 << 27
_SIX_BYTES_HIGH: Final = 1 << 41
_INT_LIMIT: Final = 1 << 32  # zig-zag values of 32-bit ints are below this
_LONG_LIMIT: Final = 1 << 64
NONE: Final = type(None)


class OffFastPath(Exception):  # noqa: N818 - control flow, not an error
    """Raised when a value is not one the fast path writes: fastavro writes the record."""


class Compiled(NamedTuple):
    """A value writer with the Python types it writes and the kinds unions may match."""

    write: Write
    fast_types: frozenset[type]  # exact Python types written on the fast path
    kinds: frozenset[str]  # kinds of value fastavro's union matching may give this type


RECORD_TYPES: Final = (frozenset({dict}), frozenset({"mapping"}))


class Varints(NamedTuple):
    """Varint lookup tables."""

    small: tuple[bytes, ...]  # the varint of every value below _SMALL
    continued: tuple[bytes, ...]  # 14 bits as two bytes, both with the continuation bit
    lengths: tuple[bytes, ...]  # the zig-zag varint of every length below _SMALL / 2
    encode: _Varint  # the varint of any unsigned value


@cache
def varints() -> Varints:
    """The varint tables, built on first use (about 2 MB, a few milliseconds)."""
    small = tuple(
        bytes((n,)) if n < 0x80 else bytes((n & 0x7F | 0x80, n >> 7)) for n in range(_SMALL)
    )
    continued = tuple(bytes((n & 0x7F | 0x80, n >> 7 | 0x80)) for n in range(_SMALL))

    def encode(n: int) -> bytes:
        if n < _SMALL:
            return small[n]
        parts = []
        while n >= _SMALL:
            parts.append(continued[n & _MASK])
            n >>= 14
        parts.append(small[n])
        return b"".join(parts)

    return Varints(small, continued, small[::2], encode)


@cache
def _indexed_lengths(index: int) -> tuple[bytes, ...]:
    """Union branch `index` followed by each length prefix: an optional string in one lookup."""
    lengths = varints().lengths
    head = lengths[index]
    return tuple(head + length for length in lengths)


def optional_string(null: int, string: int) -> Write:
    """The union of null and string, the commonest field type: one closure, one lookup."""
    null_index, head = varints().lengths[null], varints().lengths[string]
    prefixes = _indexed_lengths(string)
    encode = varints().encode

    def write_optional_string(value: Any) -> bytes:
        if value is None:
            return null_index
        if type(value) is str:
            data = value.encode()
            try:
                return prefixes[len(data)] + data
            except IndexError:
                return head + encode(len(data) << 1) + data
        raise OffFastPath

    return write_optional_string


def _wrong_type(value: Any, where: str, expected: str, garbage: tuple[type, ...]) -> Exception:
    """TypeError for a value fastavro would write wrongly; otherwise leave the value to fastavro."""
    if isinstance(value, garbage):
        return TypeError(f"{where}: expected {expected}, got {type(value).__name__}")
    return OffFastPath()


def _null(where: str) -> Compiled:
    def write_null(value: Any) -> bytes:
        if value is None:
            return b""
        raise TypeError(f"{where}: expected None, got {type(value).__name__}")

    return Compiled(write_null, frozenset({NONE}), frozenset({"none"}))


def _boolean(where: str) -> Compiled:
    def write_boolean(value: Any) -> bytes:
        if value is True:
            return b"\x01"
        if value is False:
            return b"\x00"
        raise TypeError(f"{where}: expected a bool, got {type(value).__name__}")

    return Compiled(write_boolean, frozenset({bool}), frozenset({"bool"}))


def _integer(where: str, limit: int) -> Compiled:
    small, _, _, encode = varints()

    def write_integer(value: Any) -> bytes:
        if type(value) is int:
            zigzag = (value << 1) ^ (value >> 63)
            if zigzag < _SMALL:
                return small[zigzag]
            if zigzag < limit:
                return encode(zigzag)
            raise ValueError(f"{where}: {value} does not fit in {limit.bit_length() - 1} bits")
        raise _wrong_type(value, where, "an int", (bool, float))

    return Compiled(write_integer, frozenset({int}), frozenset({"integral"}))


def _real(where: str, layout: str) -> Compiled:
    pack = struct.Struct(layout).pack

    def write_real(value: Any) -> bytes:
        if type(value) is float or type(value) is int:
            try:
                return pack(value)
            except OverflowError:  # fastavro writes inf for a float too large for 32 bits
                raise OffFastPath from None
        raise _wrong_type(value, where, "a float", (bool,))

    return Compiled(write_real, frozenset({float, int}), frozenset({"integral", "real"}))


def _string(where: str) -> Compiled:  # noqa: ARG001 - every factory takes the field's place
    lengths, encode = varints().lengths, varints().encode

    def write_string(value: Any) -> bytes:
        try:
            data: bytes = value.encode()  # as fastavro: a str, or any object with encode()
            return lengths[len(data)] + data
        except AttributeError:
            raise OffFastPath from None
        except IndexError:
            return encode(len(data) << 1) + data

    return Compiled(write_string, frozenset({str}), frozenset({"str"}))


def _bytes(where: str) -> Compiled:  # noqa: ARG001 - every factory takes the field's place
    lengths, encode = varints().lengths, varints().encode

    def write_bytes(value: Any) -> bytes:
        if type(value) is bytes or type(value) is bytearray:
            length = len(value)
            return (lengths[length] if length < len(lengths) else encode(length << 1)) + value
        raise OffFastPath

    return Compiled(write_bytes, frozenset({bytes, bytearray}), frozenset({"bytes"}))


def fixed(size: int, name: str) -> Compiled:
    """An Avro fixed of `size` bytes."""

    def write_fixed(value: Any) -> bytes:
        if type(value) is bytes:
            if len(value) == size:
                return value
            raise ValueError(f"{name}: {len(value)} bytes for a fixed of {size}")
        raise OffFastPath

    return Compiled(write_fixed, frozenset({bytes}), frozenset({"bytes"}))


def enum(symbols: list[str], name: str) -> Compiled:
    """An Avro enum: the symbol's index."""
    lengths = varints().lengths
    indexes = {symbol: lengths[index] for index, symbol in enumerate(symbols)}  # all distinct

    def write_enum(value: Any) -> bytes:
        if isinstance(value, str):
            index = indexes.get(value)
            if index is None:
                raise ValueError(f"{name}: {value!r} is not one of its symbols")
            return index
        raise OffFastPath

    return Compiled(write_enum, frozenset({str}), frozenset({"str"}))


def array(item: Write, where: str) -> Compiled:
    """An Avro array as fastavro writes it: one block, then 0."""
    lengths, encode = varints().lengths, varints().encode

    def write_array(value: Any) -> bytes:
        if type(value) is list or type(value) is tuple:
            if not value:
                return b"\x00"
            count = len(value)
            head = lengths[count] if count < len(lengths) else encode(count << 1)
            return b"".join([head, *map(item, value), b"\x00"])
        raise _wrong_type(value, where, "a list", (str, bytes, bytearray, Mapping))

    # a tuple in a union is fastavro's (branch name, value) notation: left to fastavro there
    return Compiled(write_array, frozenset({list}), frozenset({"sequence", "bytes"}))


def map_of(item: Write) -> Compiled:
    """An Avro map as fastavro writes it: one block, then 0."""
    lengths, encode = varints().lengths, varints().encode

    def write_map(value: Any) -> bytes:
        if type(value) is not dict:
            raise OffFastPath
        if not value:
            return b"\x00"
        count = len(value)
        parts = [lengths[count] if count < len(lengths) else encode(count << 1)]
        for key, entry in value.items():
            if not isinstance(key, str):
                raise OffFastPath
            data = key.encode()
            length = len(data)
            head = lengths[length] if length < len(lengths) else encode(length << 1)
            parts += (head, data, item(entry))
        parts.append(b"\x00")
        return b"".join(parts)

    return Compiled(write_map, frozenset({dict}), frozenset({"mapping"}))


def _timestamp(where: str, per_second: int) -> Compiled:
    small, continued, _, encode = varints()
    unit = timedelta(seconds=1) / per_second

    def write_timestamp(value: Any) -> bytes:
        if type(value) is datetime and value.tzinfo is not None:
            number = (value - _EPOCH) // unit
        elif type(value) is int:
            number = value
        else:
            number = _naive_timestamp(value, where, per_second)
        if _SIX_BYTES_LOW <= number < _SIX_BYTES_HIGH:
            zigzag = number << 1
            return continued[zigzag & _MASK] + continued[zigzag >> 14 & _MASK] + small[zigzag >> 28]
        zigzag = (number << 1) ^ (number >> 63)
        if zigzag < _LONG_LIMIT:
            return encode(zigzag)
        raise ValueError(f"{where}: {number} does not fit in 64 bits")

    return Compiled(
        write_timestamp, frozenset({datetime, int}), frozenset({"datetime", "integral"})
    )


def _naive_timestamp(value: Any, where: str, per_second: int) -> int:
    """A naive datetime as fastavro reads it, local time through mktime; or a wrong value."""
    if type(value) is not datetime:
        raise _wrong_type(value, where, "a datetime or an int", (bool, float))
    try:
        seconds = int(mktime(value.timetuple()))
    except OverflowError:
        raise OffFastPath from None
    return seconds * per_second + value.microsecond // (1_000_000 // per_second)


def _date(where: str) -> Compiled:
    small, _, _, encode = varints()

    def write_date(value: Any) -> bytes:
        if type(value) is date:
            number = value.toordinal() - _EPOCH_ORDINAL
        elif type(value) is int:
            number = value
        else:  # a datetime or an ISO string is fastavro's to convert
            raise _wrong_type(value, where, "a date or an int", (bool, float))
        zigzag = (number << 1) ^ (number >> 63)
        if zigzag < _SMALL:
            return small[zigzag]
        if zigzag < _INT_LIMIT:
            return encode(zigzag)
        raise ValueError(f"{where}: {number} does not fit in 32 bits")

    kinds = frozenset({"date", "datetime", "str", "integral"})
    return Compiled(write_date, frozenset({date, int}), kinds)


def _uuid(where: str) -> Compiled:
    write_string = _string(where).write

    def write_uuid(value: Any) -> bytes:
        if type(value) is UUID:  # str(value), inlined; "H" is 0x48, the varint of length 36
            text = "%032x" % value.int  # noqa: UP031 - UUID.__str__ to the letter
            return f"H{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}".encode()
        return write_string(value)

    return Compiled(write_uuid, frozenset({UUID, str}), frozenset({"uuid", "str"}))


PRIMITIVES: Final[Mapping[str, Callable[[str], Compiled]]] = {
    "null": _null,
    "boolean": _boolean,
    "int": lambda where: _integer(where, _INT_LIMIT),
    "long": lambda where: _integer(where, _LONG_LIMIT),
    "float": lambda where: _real(where, "<f"),
    "double": lambda where: _real(where, "<d"),
    "string": _string,
    "bytes": _bytes,
}
LOGICAL: Final[Mapping[str, Callable[[str], Compiled]]] = {
    "long-timestamp-millis": lambda where: _timestamp(where, 1_000),
    "long-timestamp-micros": lambda where: _timestamp(where, 1_000_000),
    "int-date": _date,
    "string-uuid": _uuid,
}
