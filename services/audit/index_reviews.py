"""The review of safeguarding overrides: the queue of unreviewed ones, and reviews recorded.

A decision whose `override` is true released information against a
withdrawn consent on a safeguarding basis; an IG lead reviews each one and
records `upheld` or `escalate` with a note. A review is an `OverrideReviewed`
event on audit.reviews first; its row in `override_review` is written after
(by the consent service, and by the indexer reading the topic: the same
review_id is written once).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from psycopg import sql

from services.audit.index_cursor import DecisionKey, key_of
from services.audit.index_filters import SELECTED, DecisionFilters, where
from services.audit.index_pool import IndexPool, index_connection
from services.audit.index_queries import ORDER, SearchPage, checked_limit, page_of, selected_row

Outcome = Literal["upheld", "escalate"]
QueueState = Literal["unreviewed", "reviewed", "all"]
MAX_NOTE_CHARS: Final = 2000
_REVIEWED: Final = sql.SQL(
    "EXISTS (SELECT 1 FROM override_review r WHERE r.decided_at = audit_decision.decided_at"
    " AND r.topic_partition = audit_decision.topic_partition"
    " AND r.topic_offset = audit_decision.topic_offset)"
)
_STATE: Final = {
    "unreviewed": sql.SQL(" AND NOT ") + _REVIEWED,
    "reviewed": sql.SQL(" AND ") + _REVIEWED,
    "all": sql.SQL(""),
}


@dataclass(frozen=True, slots=True)
class OverrideReview:
    """An IG lead's finding on one override decision."""

    review_id: uuid.UUID
    decision: DecisionKey
    outcome: Outcome
    note: str
    reviewer: str
    reviewed_at: datetime

    def as_row(self) -> dict[str, Any]:
        """The review as JSON-ready values."""
        return {
            "review_id": str(self.review_id),
            "decided_at": self.decision.decided_at.astimezone(UTC).isoformat(),
            "partition": self.decision.partition,
            "offset": self.decision.offset,
            "outcome": self.outcome,
            "note": self.note,
            "reviewer": self.reviewer,
            "reviewed_at": self.reviewed_at.astimezone(UTC).isoformat(),
        }


def _review(values: tuple[Any, ...]) -> OverrideReview:
    review_id, decided_at, partition, offset, outcome, note, reviewer, reviewed_at = values
    return OverrideReview(
        review_id, DecisionKey(decided_at, partition, offset), outcome, note, reviewer, reviewed_at
    )


class OverrideReviews:
    """The override queue and its reviews in the audit index."""

    def __init__(self, pool: IndexPool) -> None:
        """Query through `pool` (opened by the caller)."""
        self._pool = pool

    async def queue(
        self, state: QueueState = "unreviewed", after: DecisionKey | None = None, limit: int = 100
    ) -> SearchPage:
        """Override decisions (unreviewed, reviewed or all), oldest first, each with its reviews."""
        checked_limit(limit)
        condition, values = where(DecisionFilters(override=True), after)
        query = sql.SQL("SELECT {} FROM audit_decision{}{}{} LIMIT %s").format(
            SELECTED, condition, _STATE[state], ORDER
        )
        async with index_connection(self._pool) as conn:
            cursor = await conn.execute(query, [*values, limit + 1])
            page = page_of([selected_row(r) for r in await cursor.fetchall()], limit)
        reviews = await self.reviews_of([key_of(row) for row in page.rows])
        for row in page.rows:
            row["reviews"] = [review.as_row() for review in reviews.get(key_of(row), [])]
        return page

    async def reviews_of(self, keys: list[DecisionKey]) -> dict[DecisionKey, list[OverrideReview]]:
        """The reviews of each decision of `keys`, oldest first."""
        if not keys:
            return {}
        query = (
            "SELECT review_id, decided_at, topic_partition, topic_offset, outcome, note, reviewer,"
            " reviewed_at FROM override_review"
            " WHERE (decided_at, topic_partition, topic_offset) IN"
            " (SELECT * FROM unnest(%s::timestamptz[], %s::integer[], %s::bigint[]))"
            " ORDER BY reviewed_at, review_id"
        )
        values = (
            [k.decided_at for k in keys],
            [k.partition for k in keys],
            [k.offset for k in keys],
        )
        found: dict[DecisionKey, list[OverrideReview]] = {}
        async with index_connection(self._pool) as conn:
            for row in await (await conn.execute(query, values)).fetchall():
                review = _review(tuple(row))
                found.setdefault(review.decision, []).append(review)
        return found

    async def unreviewed(self) -> int:
        """How many override decisions no one has reviewed yet."""
        query = sql.SQL("SELECT count(*) FROM audit_decision WHERE override AND NOT ") + _REVIEWED
        async with index_connection(self._pool) as conn:
            found = await (await conn.execute(query)).fetchone()
        return int(found[0]) if found else 0

    async def record(self, review: OverrideReview) -> bool:
        """Write the review's row; False when its review_id was already written (a replay)."""
        async with index_connection(self._pool) as conn:
            cursor = await conn.execute(
                "INSERT INTO override_review (review_id, decided_at, topic_partition, topic_offset,"
                " outcome, note, reviewer, reviewed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (review_id) DO NOTHING",
                (
                    review.review_id,
                    review.decision.decided_at,
                    review.decision.partition,
                    review.decision.offset,
                    review.outcome,
                    review.note,
                    review.reviewer,
                    review.reviewed_at,
                ),
            )
            return cursor.rowcount == 1
