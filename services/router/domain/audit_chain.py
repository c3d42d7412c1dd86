"""The audit trail's hash chain: each record names the hash of the one before it.

Per audit partition, record n carries `prev_hash` = hash of record n-1 and
`hash` = SHA-256 over its own canonical content including `prev_hash`. A record
edited in place no longer matches its hash; a removed record leaves the next
record's `prev_hash` pointing at nothing; either is a break that `verify_chain`
reports with its offset.
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


def _canonical(value: Any) -> Any:
    """JSON form of the values json cannot write itself (called by the C encoder)."""
    if isinstance(value, datetime):  # as stored: Avro timestamp-millis
        return int(value.timestamp() * 1000)
    if isinstance(value, date | UUID):
        return str(value)
    msg = f"cannot hash a {type(value).__name__}"
    raise TypeError(msg)


def content_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 of the record's canonical JSON (sorted keys), every field but `hash` itself."""
    content = {k: v for k, v in record.items() if k != "hash"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal(record: dict[str, Any], prev_hash: str) -> dict[str, Any]:
    """Set `prev_hash` and `hash` on an audit record; return it."""
    record["prev_hash"] = prev_hash
    record["hash"] = content_hash(record)
    return record


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where and how a chain is broken."""

    partition: int
    offset: int
    problem: str


def verify_chain(
    partition: int, records: Iterable[tuple[int, Mapping[str, Any]]]
) -> tuple[int, list[ChainBreak]]:
    """Check (offset, record) pairs of one partition in order; return (count, breaks)."""
    expected_prev = None
    count = 0
    breaks: list[ChainBreak] = []
    for offset, record in records:
        count += 1
        if content_hash(record) != record["hash"]:
            breaks.append(ChainBreak(partition, offset, "content does not match its hash (edited)"))
        if expected_prev is not None and record["prev_hash"] != expected_prev:
            problem = "prev_hash does not match the record before (removed or reordered)"
            breaks.append(ChainBreak(partition, offset, problem))
        expected_prev = record["hash"]
    return count, breaks
