"""Audit search on the PostgreSQL index: keyset pages, a streamed export, one child's record.

Every listing is in the order of the decisions' key (decided_at, topic
partition, topic offset), the table's primary key, so a page continues
exactly where the one before stopped: no row is skipped or repeated while
the indexer keeps appending.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from psycopg import AsyncServerCursor, sql
from psycopg.rows import TupleRow

from services.audit.exceptions import AuditQueryError
from services.audit.index_cursor import DecisionKey, encode_cursor, key_of
from services.audit.index_filters import SELECTED, DecisionFilters, where
from services.audit.index_pool import IndexPool, index_connection
from services.audit.rows import COLUMNS

PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 1000
EXPORT_BATCH: Final = 2000  # rows fetched per round trip of the export's server-side cursor
# The key's columns, not the row (a,b,c): ordering by a row value cannot use an index's order.
ORDER: Final = sql.SQL(" ORDER BY decided_at, topic_partition, topic_offset")


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of decisions, and the cursor of the next page (None on the last)."""

    rows: list[dict[str, Any]]
    next_cursor: str | None


def selected_row(values: Sequence[Any]) -> dict[str, Any]:
    """One selected row (SELECTED order) as an audit row of services.audit.rows.COLUMNS."""
    row = dict(zip(COLUMNS, values, strict=True))
    row["recorded_at"] = values[0].astimezone(UTC).isoformat()
    row["subject_event_id"] = str(values[2])
    row["fields"] = list(values[6])
    return row


def checked_limit(limit: int) -> int:
    """`limit` when it is a page size the search serves; AuditQueryError naming limit."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise AuditQueryError("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
    return limit


def page_of(found: list[dict[str, Any]], limit: int) -> SearchPage:
    """The first `limit` rows of `found` (fetched with one extra) and the next page's cursor."""
    rows = found[:limit]
    more = len(found) > limit
    return SearchPage(rows, encode_cursor(key_of(rows[-1])) if more and rows else None)


async def _rows_of(
    cursor: AsyncServerCursor[TupleRow], held: AsyncExitStack
) -> AsyncIterator[dict[str, Any]]:
    """The rows of an open export, then its cursor and connection closed."""
    try:
        async for found in cursor:
            yield selected_row(found)
    finally:
        await held.aclose()


class DecisionSearch:
    """Reads decisions from `audit_decision` through a pool the caller owns."""

    def __init__(self, pool: IndexPool) -> None:
        """Query through `pool` (opened by the caller)."""
        self._pool = pool

    async def page(
        self, filters: DecisionFilters, after: DecisionKey | None = None, limit: int = PAGE_SIZE
    ) -> SearchPage:
        """The decisions matching `filters` after the key `after`, at most `limit`, in order."""
        checked_limit(limit)
        condition, values = where(filters.checked(), after)
        query = sql.SQL("SELECT {} FROM audit_decision{}{} LIMIT %s").format(
            SELECTED, condition, ORDER
        )
        async with index_connection(self._pool) as conn:
            cursor = await conn.execute(query, [*values, limit + 1])
            found = [selected_row(r) for r in await cursor.fetchall()]
        return page_of(found, limit)

    async def export(self, filters: DecisionFilters) -> AsyncIterator[dict[str, Any]]:
        """Every decision matching `filters`, in order, read through a server-side cursor.

        The connection is taken and the query sent before this returns, so a
        database that does not answer fails here (a 503), not halfway through
        a streamed answer; the rows are then read as they are iterated.
        """
        condition, values = where(filters.checked())
        query = sql.SQL("SELECT {} FROM audit_decision{}{}").format(SELECTED, condition, ORDER)
        held = AsyncExitStack()
        try:
            conn = await held.enter_async_context(index_connection(self._pool))
            cursor = await held.enter_async_context(conn.cursor(name="audit_export"))
            cursor.itersize = EXPORT_BATCH
            await cursor.execute(query, values)
        except BaseException:
            await held.aclose()
            raise
        return _rows_of(cursor, held)

    async def of_child(self, child_ref: str) -> list[dict[str, Any]]:
        """Every decision about one child, oldest first (a subject access report's rows)."""
        filters = DecisionFilters(child_ref=child_ref).checked()
        condition, values = where(filters)
        query = sql.SQL("SELECT {} FROM audit_decision{}{}").format(SELECTED, condition, ORDER)
        async with index_connection(self._pool) as conn:
            cursor = await conn.execute(query, values)
            return [selected_row(r) for r in await cursor.fetchall()]

    async def decision(
        self, partition: int, offset: int, decided_at: datetime | None = None
    ) -> dict[str, Any] | None:
        """The decision at `partition`/`offset` of the audit topic, or None.

        With `decided_at` the primary key finds any decision; without it only
        overrides are looked up (their partial index is small; the primary key
        cannot be used without its first column).
        """
        if decided_at is not None:
            condition = sql.SQL("decided_at = %s AND topic_partition = %s AND topic_offset = %s")
            values: list[Any] = [decided_at, partition, offset]
        else:
            condition = sql.SQL("override AND topic_partition = %s AND topic_offset = %s")
            values = [partition, offset]
        query = sql.SQL("SELECT {} FROM audit_decision WHERE {} LIMIT 1").format(
            SELECTED, condition
        )
        async with index_connection(self._pool) as conn:
            found = await (await conn.execute(query, values)).fetchone()
        return None if found is None else selected_row(found)
