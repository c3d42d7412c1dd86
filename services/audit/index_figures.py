"""Oversight figures from the audit index: disclosures, denies and chain breaks.

Disclosures are counted per agreement per day, denies per reason, and the
chain breaks are those the indexer found. Days are UTC calendar days. A
deny's reason opens with its code (`no-agreement: ...`,
services/router/domain/routing.py); denies are counted per code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from services.audit.index_pool import IndexPool, index_connection

CONSENT_ONLY: Final = "(consent only)"  # a permit that rests on consent, not an agreement
MAX_REASONS: Final = 12
MAX_BREAKS: Final = 200


@dataclass(frozen=True, slots=True)
class DailyCount:
    """How many decisions fell into one (series, day)."""

    series: str
    day: date
    count: int


class OversightFigures:
    """Counts over the audit index for the oversight page."""

    def __init__(self, pool: IndexPool) -> None:
        """Query through `pool` (opened by the caller)."""
        self._pool = pool

    async def disclosures_per_agreement(self, days: int, now: datetime) -> list[DailyCount]:
        """Permits per agreement per UTC day, over the `days` days up to `now` (today included)."""
        since = datetime.combine(
            now.astimezone(UTC).date() - timedelta(days=days - 1), datetime.min.time(), UTC
        )
        query = (
            "SELECT coalesce(agreement_id, %s), (decided_at AT TIME ZONE 'UTC')::date, count(*)"
            " FROM audit_decision WHERE decision = 'permit' AND decided_at >= %s"
            " GROUP BY 1, 2 ORDER BY 1, 2"
        )
        async with index_connection(self._pool) as conn:
            rows = await (await conn.execute(query, (CONSENT_ONLY, since))).fetchall()
        return [DailyCount(str(series), day, int(count)) for series, day, count in rows]

    async def denies_by_reason(self, days: int, now: datetime) -> list[tuple[str, int]]:
        """Denies per reason code over the last `days` days, most frequent first."""
        since = now - timedelta(days=days)
        query = (
            "SELECT split_part(reason, ':', 1), count(*) FROM audit_decision"
            " WHERE decision = 'deny' AND decided_at >= %s"
            " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %s"
        )
        async with index_connection(self._pool) as conn:
            rows = await (await conn.execute(query, (since, MAX_REASONS))).fetchall()
        return [(str(reason), int(count)) for reason, count in rows]

    async def chain_breaks(self) -> list[dict[str, Any]]:
        """The hash-chain breaks the indexer recorded, newest first."""
        query = (
            "SELECT topic, topic_partition, topic_offset, problem, found_at FROM audit_chain_break"
            " ORDER BY found_at DESC, topic, topic_partition, topic_offset LIMIT %s"
        )
        async with index_connection(self._pool) as conn:
            rows = await (await conn.execute(query, (MAX_BREAKS,))).fetchall()
        return [
            {
                "topic": topic,
                "partition": partition,
                "offset": offset,
                "problem": problem,
                "found_at": found_at.astimezone(UTC).isoformat(),
            }
            for topic, partition, offset, problem, found_at in rows
        ]
