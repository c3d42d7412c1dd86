"""The opaque cursor of a keyset-paged audit query: the key of the last row of a page.

A decision's key is (decided_at, topic partition, topic offset), the primary
key of `audit_decision` and the order of every audit listing. The cursor is
that key as JSON, base64url without padding; one that does not decode to a
key is refused naming `cursor`, never passed to the database.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from services.audit.exceptions import AuditQueryError

CURSOR_RULE: Final = "must be a next_cursor returned by an earlier page of this search"
MAX_CURSOR_CHARS: Final = 200
MAX_OFFSET: Final = 2**63 - 1
MAX_PARTITION: Final = 2**31 - 1


@dataclass(frozen=True, slots=True, order=True)
class DecisionKey:
    """Where one decision sits in the audit: its time, then its place on the topic."""

    decided_at: datetime
    partition: int
    offset: int


def key_of(row: dict[str, Any]) -> DecisionKey:
    """The key of an audit row (services.audit.rows columns: recorded_at, partition, offset)."""
    return DecisionKey(
        datetime.fromisoformat(row["recorded_at"]), int(row["partition"]), int(row["offset"])
    )


def encode_cursor(key: DecisionKey) -> str:
    """The cursor that continues a listing after `key`."""
    text = json.dumps([key.decided_at.astimezone(UTC).isoformat(), key.partition, key.offset])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _bad() -> AuditQueryError:
    return AuditQueryError("cursor", CURSOR_RULE)


def decode_cursor(cursor: str) -> DecisionKey:
    """The key a cursor stands for; AuditQueryError naming `cursor` when it is not one."""
    if not cursor or len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
        raise _bad()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, partition, offset = json.loads(raw)
        decided_at = datetime.fromisoformat(moment)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise _bad() from None
    numbers_ok = all(type(n) is int for n in (partition, offset))
    if decided_at.tzinfo is None or not numbers_ok:
        raise _bad()
    if not (0 <= partition <= MAX_PARTITION and 0 <= offset <= MAX_OFFSET):
        raise _bad()
    return DecisionKey(decided_at.astimezone(UTC), partition, offset)
