"""The audit trail's hash chain: each record names the hash of the one before it.

Per audit partition, record n carries `prev_hash` = hash of record n-1 and
`hash` = SHA-256 over its own Avro encoding up to `hash` (every field but the
hash itself, `prev_hash` included; `hash` is the last field of
DisclosureDecided, a rule of the contract). The hash covers exactly the bytes
stored, and costs one pass of SHA-256 over bytes already made. A record edited
in place no longer matches its hash; a removed record leaves the next record's
`prev_hash` pointing at nothing; either is a break that `verify_chain` reports
with its offset.

Records sealed before hashes covered the encoding (scheme 1: SHA-256 of the
record's canonical JSON) still verify: `content_hash` is kept for them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from uuid import UUID

GENESIS: Final = "0" * 64
HEADER_SIZE: Final = 5  # the Confluent framing before the Avro body
_EMPTY_STRING: Final = b"\x00"
_HASH_LENGTH: Final = b"\x80\x01"  # Avro's zig-zag varint of 64, the hex digest's length
_HASH_TAIL: Final = len(_HASH_LENGTH) + 64


def seal_encoded(framed: bytes) -> tuple[bytes, str]:
    """Seal a framed DisclosureDecided written with `hash` = "": (sealed bytes, its hash)."""
    if not framed.endswith(_EMPTY_STRING):
        msg = "an audit record must be encoded with an empty hash, its last field"
        raise ValueError(msg)
    body = framed[HEADER_SIZE:-1]
    digest = hashlib.sha256(body).hexdigest()
    return framed[:-1] + _HASH_LENGTH + digest.encode(), digest


def encoded_hash(framed: bytes) -> str | None:
    """The hash sealed bytes must carry (None when they do not end in a 64-character hash)."""
    if len(framed) < HEADER_SIZE + _HASH_TAIL or framed[-_HASH_TAIL:-64] != _HASH_LENGTH:
        return None
    return hashlib.sha256(framed[HEADER_SIZE:-_HASH_TAIL]).hexdigest()


def _canonical(value: Any) -> Any:
    """JSON form of the values json cannot write itself (called by the C encoder)."""
    if isinstance(value, datetime):  # as stored: Avro timestamp-millis
        return int(value.timestamp() * 1000)
    if isinstance(value, date | UUID):
        return str(value)
    msg = f"cannot hash a {type(value).__name__}"
    raise TypeError(msg)


def content_hash(record: Mapping[str, Any]) -> str:
    """Scheme 1: SHA-256 of the canonical JSON (sorted keys) of every field but `hash`.

    Records sealed before the hash covered the encoding carry this one.
    """
    content = {k: v for k, v in record.items() if k != "hash"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where and how a chain is broken."""

    partition: int
    offset: int
    problem: str


EDITED: Final = "content does not match its hash (edited)"
UNLINKED: Final = "prev_hash does not match the record before (removed or reordered)"


def check_link(
    position: tuple[int, int], raw: bytes, record: Mapping[str, Any], expected_prev: str | None
) -> list[ChainBreak]:
    """The breaks of one record at (partition, offset) whose predecessor's hash is `expected_prev`.

    `expected_prev` None: the record opens the part of the chain being checked,
    so only its own hash is checked. The chain goes on from `record["hash"]`.
    """
    partition, offset = position
    breaks: list[ChainBreak] = []
    claimed = record["hash"]
    if encoded_hash(raw) != claimed and content_hash(record) != claimed:
        breaks.append(ChainBreak(partition, offset, EDITED))
    if expected_prev is not None and record["prev_hash"] != expected_prev:
        breaks.append(ChainBreak(partition, offset, UNLINKED))
    return breaks


def verify_chain(
    partition: int, records: Iterable[tuple[int, bytes, Mapping[str, Any]]]
) -> tuple[int, list[ChainBreak]]:
    """Check (offset, stored bytes, decoded record) of one partition in order: (count, breaks)."""
    expected_prev = None
    count = 0
    breaks: list[ChainBreak] = []
    for offset, raw, record in records:
        count += 1
        breaks.extend(check_link((partition, offset), raw, record, expected_prev))
        expected_prev = record["hash"]
    return count, breaks
