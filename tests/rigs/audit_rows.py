"""Rows of the audit index made up for a test, written with plain INSERTs (COPY).

`made_up_rows` builds `audit_decision` rows as the indexer would write them
(services/audit/index_rows.py columns) with a seeded random generator: many
children, recipients, agreements, permits and denies, some overrides, and
times that collide on purpose (keys then differ only by partition and
offset). `as_audit_row` is the same row as the API shows it, for brute-force
comparisons.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from services.audit.index_rows import DECISION_COLUMNS
from services.database.partitions import ensure_month_partitions

EVENT_TYPES = ("AttendanceMarked", "SuspensionIssued", "ConcernRaised", "PupilJoinedRoll")
DENY_REASONS = ("no-agreement", "consent-withdrawn", "condition-not-met", "objection")


def child_ref(number: int) -> str:
    """A child_ref of the strict form, one per number."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    digits = []
    for _ in range(32):
        number, digit = divmod(number, 32)
        digits.append(alphabet[digit])
    return "cr1_" + "".join(digits)


def made_up_rows(
    seed: int,
    count: int,
    *,
    children: int = 20,
    recipients: int = 5,
    start: datetime = datetime(2025, 11, 20, tzinfo=UTC),
    span: timedelta = timedelta(days=70),
    partitions: int = 3,
) -> list[dict[str, Any]]:
    """`count` decision rows (DECISION_COLUMNS keys) over `span` from `start`."""
    rng = random.Random(seed)  # noqa: S311 - made-up test data, not secrets
    offsets = [0] * partitions
    moments = [start + rng.random() * span for _ in range(max(count // 4, 1))]
    rows = []
    for _ in range(count):
        partition = rng.randrange(partitions)
        permit = rng.random() < 0.7
        agreement = f"isa-{rng.randrange(4)}" if permit else None
        rows.append(
            {
                "topic_partition": partition,
                "topic_offset": offsets[partition],
                "decision_id": uuid.UUID(int=rng.getrandbits(128)),
                # Whole milliseconds, as on the topic; a quarter of the times repeat.
                "decided_at": rng.choice(moments).replace(microsecond=rng.randrange(1000) * 1000),
                "child_ref": child_ref(rng.randrange(children)),
                "subject_event_id": uuid.UUID(int=rng.getrandbits(128)),
                "subject_event_type": rng.choice(EVENT_TYPES),
                "correlation_id": None,
                "recipient": f"agency-{rng.randrange(recipients)}",
                "decision": "permit" if permit else "deny",
                "fields": sorted(rng.sample(["event_id", "school", "session_date", "reason"], 2))
                if permit
                else [],
                "agreement_id": agreement,
                "legal_basis": "public-task-ca2004-s16la" if permit else None,
                "purpose": "attendance-support" if permit else None,
                "override": permit and rng.random() < 0.1,
                "reason": f"permitted under {agreement} v1"
                if permit
                else f"{rng.choice(DENY_REASONS)}: not shared",
                "policy_version": "p1",
                "prev_hash": "",
                "hash": f"{rng.getrandbits(64):016x}",
            }
        )
        offsets[partition] += 1
    return rows


def insert_rows(db_url: str, rows: Sequence[dict[str, Any]]) -> None:
    """Write `rows` into audit_decision (their month partitions made first), in one transaction."""
    columns = ", ".join(DECISION_COLUMNS)
    with psycopg.connect(db_url) as conn:
        ensure_month_partitions(conn, [row["decided_at"] for row in rows])
        with conn.cursor().copy(f"COPY audit_decision ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in DECISION_COLUMNS])


def as_audit_row(row: dict[str, Any]) -> dict[str, Any]:
    """A made-up row as the API shows it (services/audit/rows.py columns)."""
    return {
        "recorded_at": row["decided_at"].astimezone(UTC).isoformat(),
        "child_ref": row["child_ref"],
        "subject_event_id": str(row["subject_event_id"]),
        "subject_event_type": row["subject_event_type"],
        "recipient": row["recipient"],
        "decision": row["decision"],
        "fields": list(row["fields"]),
        "agreement_id": row["agreement_id"],
        "legal_basis": row["legal_basis"],
        "purpose": row["purpose"],
        "override": row["override"],
        "reason": row["reason"],
        "policy_version": row["policy_version"],
        "partition": row["topic_partition"],
        "offset": row["topic_offset"],
        "prev_hash": row["prev_hash"],
        "hash": row["hash"],
    }


def in_key_order(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """API rows sorted by their key (decided_at, partition, offset)."""
    return sorted(
        rows,
        key=lambda r: (datetime.fromisoformat(r["recorded_at"]), r["partition"], r["offset"]),
    )
