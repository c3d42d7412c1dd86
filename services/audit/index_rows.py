"""Audit records as rows of the audit index: decoded, checked against their chain, laid out.

Pure: records in, row tuples and chain breaks out. The columns are the
contract of migration 0001 (services/database/migrations), in its order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.audit.chain import ChainBreak, check_link
from services.bus.records import Incoming

DECISION_COLUMNS: Final = (
    "topic_partition",
    "topic_offset",
    "decision_id",
    "decided_at",
    "child_ref",
    "subject_event_id",
    "subject_event_type",
    "correlation_id",
    "recipient",
    "decision",
    "fields",
    "agreement_id",
    "legal_basis",
    "purpose",
    "override",
    "reason",
    "policy_version",
    "prev_hash",
    "hash",
)
# Record fields copied as they are, after the columns named differently.
_SAME_NAME: Final = DECISION_COLUMNS[4:]
REVIEW_COLUMNS: Final = (
    "review_id",
    "decided_at",
    "topic_partition",
    "topic_offset",
    "outcome",
    "note",
    "reviewer",
    "reviewed_at",
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """One consumed record and what decoding it gave: the record, or why it could not be read."""

    incoming: Incoming
    record: Mapping[str, Any] | None
    error: str | None = None


def decode_all(codec: AvroCodec, records: Sequence[Incoming]) -> list[Decoded]:
    """Decode each record; an unreadable one keeps its reason instead of stopping the batch."""
    decoded: list[Decoded] = []
    for incoming in records:
        try:
            decoded.append(Decoded(incoming, codec.decode(incoming.value or b"")))
        except ContractError as exc:
            decoded.append(Decoded(incoming, None, f"unreadable record: {exc}"))
    return decoded


def decision_row(partition: int, offset: int, record: Mapping[str, Any]) -> tuple[Any, ...]:
    """One DisclosureDecided record as an audit_decision row (DECISION_COLUMNS)."""
    return (
        partition,
        offset,
        record["event_id"],
        record["recorded_at"],
        *(record[name] for name in _SAME_NAME),
    )


def review_row(record: Mapping[str, Any]) -> tuple[Any, ...]:
    """One OverrideReviewed record as an override_review row (REVIEW_COLUMNS)."""
    return (
        record["review_id"],
        record["decided_at"],
        record["decision_partition"],
        record["decision_offset"],
        record["outcome"],
        record["note"],
        record["reviewer"],
        record["recorded_at"],
    )


@dataclass
class ChainedRows:
    """What one partition's new records give: rows, breaks, the chain's new tail."""

    rows: list[tuple[Any, ...]]
    breaks: list[ChainBreak]
    tail: str | None


def chain_rows(partition: int, decoded: Sequence[Decoded], tail: str | None) -> ChainedRows:
    """Rows of one partition's records in offset order, their chain checked from `tail`.

    `tail` None: nothing of the partition was indexed before, so the first
    record's link is not checked (as `verify_chain` does). A broken record is
    still a row (it is on the topic); the chain goes on from its own hash. An
    unreadable record is a break, with no row, and leaves the tail as it was.
    """
    result = ChainedRows([], [], tail)
    for item in decoded:
        position = (partition, item.incoming.offset)
        if item.record is None:
            result.breaks.append(ChainBreak(partition, item.incoming.offset, str(item.error)))
            continue
        raw = item.incoming.value or b""
        result.breaks.extend(check_link(position, raw, item.record, result.tail))
        result.rows.append(decision_row(partition, item.incoming.offset, item.record))
        result.tail = str(item.record["hash"])
    return result
