"""Month partitions of `audit_decision`: one per calendar month (UTC), made on demand.

`audit_decision` is partitioned by range of `decided_at` with no DEFAULT
partition, so a row can only be written once its month's partition exists:
`ensure_month_partitions` makes the missing ones, in the caller's transaction,
serialised between writers by a transaction-scoped advisory lock so two
indexers creating the same month never collide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Final

from psycopg import Connection, sql
from psycopg.rows import TupleRow

PARENT: Final = "audit_decision"
PARTITION_LOCK: Final = 0x4A55_4155_4449_5431  # advisory lock key of partition changes
_NAME: Final = re.compile(r"audit_decision_y(\d{4})m(\d{2})")


def month_of(moment: date | datetime) -> date:
    """The first day of `moment`'s month (UTC for an aware datetime)."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC) if moment.tzinfo else moment
        return date(moment.year, moment.month, 1)
    return date(moment.year, moment.month, 1)


def next_month(month: date) -> date:
    """The first day of the month after `month`."""
    if month.month == 12:  # December
        return date(month.year + 1, 1, 1)
    return date(month.year, month.month + 1, 1)


def partition_name(month: date) -> str:
    """The partition of `month`: audit_decision_yYYYYmMM."""
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def month_of_partition(name: str) -> date | None:
    """The month a partition name stands for, or None when it is not a month partition."""
    found = _NAME.fullmatch(name)
    return date(int(found[1]), int(found[2]), 1) if found else None


def existing_months(conn: Connection[TupleRow]) -> list[date]:
    """The months that have a partition, oldest first."""
    rows = conn.execute(
        "SELECT child.relname FROM pg_inherits"
        " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
        " JOIN pg_class parent ON parent.oid = pg_inherits.inhparent"
        " WHERE parent.relname = %s",
        (PARENT,),
    ).fetchall()
    months = (month_of_partition(str(row[0])) for row in rows)
    return sorted(month for month in months if month is not None)


def ensure_month_partitions(conn: Connection[TupleRow], months: Iterable[date | datetime]) -> int:
    """Create the partitions of `months` that are missing (idempotent); return how many."""
    wanted = {month_of(moment) for moment in months}
    missing = wanted - set(existing_months(conn))
    if not missing:
        return 0
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITION_LOCK,))
    missing -= set(existing_months(conn))  # another writer may have made some meanwhile
    for month in sorted(missing):
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})"
            ).format(
                sql.Identifier(partition_name(month)),
                sql.Identifier(PARENT),
                sql.Literal(f"{month.isoformat()} 00:00:00+00"),
                sql.Literal(f"{next_month(month).isoformat()} 00:00:00+00"),
            )
        )
    return len(missing)
