"""Apply the retention schedule to the audit index: remove what is older than each class's cutoff.

A month partition of `audit_decision` whose whole month is older than every
class's cutoff is detached and dropped. Where a class is kept for less time
than another, its rows older than its cutoff are deleted from the months that
stay. Reviews of overrides go with the override class. Each run is logged and
recorded in `retention_run`, one row per class, in the same transaction as
the removal. The audit topic keeps everything (its own policy): this only
trims the index.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import structlog
from psycopg import Connection, sql
from psycopg.rows import TupleRow

from services.audit.retention_schedule import CLASS_PREDICATES, RecordClass, RetentionRule
from services.database.partitions import (
    PARENT,
    PARTITION_LOCK,
    existing_months,
    next_month,
    partition_name,
)

log = structlog.get_logger(__name__)


@dataclass
class RetentionReport:
    """What a run removed (or, dry, would remove)."""

    cutoffs: dict[RecordClass, datetime]
    partitions: list[str] = field(default_factory=list)
    removed: dict[RecordClass, int] = field(default_factory=dict)
    reviews: int = 0
    dry_run: bool = False
    kept_from: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))


def _start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def _count_by_class(
    conn: Connection[TupleRow], table: str, before: datetime
) -> dict[RecordClass, int]:
    filters = sql.SQL(", ").join(
        sql.SQL("count(*) FILTER (WHERE {})").format(sql.SQL(predicate))
        for predicate in CLASS_PREDICATES.values()
    )
    row = conn.execute(
        sql.SQL("SELECT {} FROM {} WHERE decided_at < %s").format(filters, sql.Identifier(table)),
        (before,),
    ).fetchone()
    counts = row or (0,) * len(CLASS_PREDICATES)
    return {name: int(n) for name, n in zip(CLASS_PREDICATES, counts, strict=True)}


def apply_retention(
    conn: Connection[TupleRow],
    schedule: Mapping[RecordClass, RetentionRule],
    now: datetime,
    *,
    dry_run: bool = False,
) -> RetentionReport:
    """Remove (or with `dry_run` only count) the records `schedule` no longer keeps at `now`."""
    cutoffs = {name: rule.cutoff(now) for name, rule in schedule.items()}
    report = RetentionReport(cutoffs, removed=dict.fromkeys(cutoffs, 0), dry_run=dry_run)
    oldest_cutoff = min(cutoffs.values())
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITION_LOCK,))
        for month in existing_months(conn):
            if _start(next_month(month)) > oldest_cutoff:
                continue
            name = partition_name(month)
            for record_class, count in _count_by_class(conn, name, oldest_cutoff).items():
                report.removed[record_class] += count
            report.partitions.append(name)
            report.kept_from = _start(next_month(month))
            if not dry_run:
                conn.execute(
                    sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
                        sql.Identifier(PARENT), sql.Identifier(name)
                    )
                )
                conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(name)))
        _delete_rows(conn, report)
        if not dry_run:
            _record(conn, report, now)
    _log(report)
    return report


def _delete_rows(conn: Connection[TupleRow], report: RetentionReport) -> None:
    """Rows of classes kept less long than the longest, older than their own cutoff."""
    for record_class, cutoff in report.cutoffs.items():
        where = sql.SQL("({}) AND decided_at >= %s AND decided_at < %s").format(
            sql.SQL(CLASS_PREDICATES[record_class])
        )
        statement = sql.SQL("SELECT count(*) FROM {} WHERE {}")
        if not report.dry_run:
            statement = sql.SQL(
                "WITH gone AS (DELETE FROM {} WHERE {} RETURNING 1) SELECT count(*) FROM gone"
            )
        bounds = (report.kept_from, cutoff)
        row = conn.execute(statement.format(sql.Identifier(PARENT), where), bounds).fetchone()
        report.removed[record_class] += int(row[0]) if row else 0
    review_cutoff = report.cutoffs["override"]
    statement = sql.SQL("SELECT count(*) FROM override_review WHERE decided_at < %s")
    if not report.dry_run:
        statement = sql.SQL(
            "WITH gone AS (DELETE FROM override_review WHERE decided_at < %s RETURNING 1) "
            "SELECT count(*) FROM gone"
        )
    row = conn.execute(statement, (review_cutoff,)).fetchone()
    report.reviews = int(row[0]) if row else 0


def _record(conn: Connection[TupleRow], report: RetentionReport, now: datetime) -> None:
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO retention_run (run_id, ran_at, record_class, cutoff, removed)"
            " VALUES (%s, %s, %s, %s, %s)",
            [
                (uuid.uuid4(), now, record_class, cutoff, report.removed[record_class])
                for record_class, cutoff in report.cutoffs.items()
            ],
        )


def _log(report: RetentionReport) -> None:
    log.info(
        "audit retention dry run" if report.dry_run else "audit retention applied",
        partitions=report.partitions,
        removed=report.removed,
        reviews=report.reviews,
        cutoffs={name: cutoff.isoformat() for name, cutoff in report.cutoffs.items()},
    )
