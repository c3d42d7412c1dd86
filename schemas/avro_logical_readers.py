"""Readers of the Avro logical types the compiled record reader supports.

Each returns what fastavro's logical readers return: an aware UTC datetime for
timestamp-millis and -micros, a date for date, a UUID for uuid. A timestamp or date
beyond Python's range raises ValueError (fastavro: OverflowError).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Final
from uuid import UUID

from schemas.avro_value_readers import Read, read_int, read_long, read_string

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL: Final = 719_163  # date(1970, 1, 1).toordinal(), fastavro's DAYS_SHIFT


@cache
def _pair_tables() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two varint bytes, as one little-endian 16-bit word, to their 14 bits, else -1.

    The first table takes two bytes that both continue the varint; the second, a byte
    that continues it and its last byte. Built on first use (about 1.5 MB).
    """
    continued, final = [-1] * (1 << 16), [-1] * (1 << 16)
    for high in range(0x80):
        for low in range(0x80):
            continued[(high | 0x80) << 8 | low | 0x80] = final[high << 8 | low | 0x80] = (
                low | high << 7
            )
    return tuple(continued), tuple(final)


def _timestamp(per_second: int) -> Read:
    """A timestamp: the epoch plus a number of units, as fastavro computes it.

    Epoch milliseconds from 1970-01-02 to 2039-09-07 are 6-byte varints: read as three
    16-bit words looked up in tables rather than byte by byte.
    """
    unit = timedelta(microseconds=1_000_000 // per_second)
    three_words = struct.Struct("<3H").unpack_from
    continued, final = _pair_tables()

    def read_timestamp(data: bytes, pos: int) -> tuple[datetime, int]:
        end = pos + 6
        if end <= len(data):
            first, second, last = three_words(data, pos)
            low, middle, high = continued[first], continued[second], final[last]
            if low | middle | high >= 0:
                zigzag = low | middle << 14 | high << 28
                number = (zigzag >> 1) ^ -(zigzag & 1)
            else:
                number, end = read_long(data, pos)
        else:
            number, end = read_long(data, pos)
        try:
            return _EPOCH + number * unit, end
        except OverflowError:
            raise ValueError(f"timestamp {number} is out of range") from None

    return read_timestamp


def _read_date(data: bytes, pos: int) -> tuple[date, int]:
    """An Avro date: days since 1970-01-01, as fastavro computes it."""
    days, pos = read_int(data, pos)
    try:
        return date.fromordinal(days + _EPOCH_ORDINAL), pos
    except OverflowError:
        raise ValueError(f"date {days} is out of range") from None


def _read_uuid(data: bytes, pos: int) -> tuple[UUID, int]:
    """An Avro uuid: its string, parsed by UUID as fastavro does."""
    text, pos = read_string(data, pos)
    return UUID(text), pos


LOGICAL: Final[Mapping[str, Callable[[], Read]]] = {  # factories: tables built on first use
    "long-timestamp-millis": lambda: _timestamp(1_000),
    "long-timestamp-micros": lambda: _timestamp(1_000_000),
    "int-date": lambda: _read_date,
    "string-uuid": lambda: _read_uuid,
}
