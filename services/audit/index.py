"""The audit index as its readers see it: search, override reviews and figures on one pool."""

from __future__ import annotations

from dataclasses import dataclass

from services.audit.index_figures import OversightFigures
from services.audit.index_pool import IndexPool, index_answers
from services.audit.index_queries import DecisionSearch
from services.audit.index_reviews import OverrideReviews


@dataclass(frozen=True)
class AuditIndex:
    """The queries of the audit index, sharing the pool their owner opened."""

    pool: IndexPool
    search: DecisionSearch
    reviews: OverrideReviews
    figures: OversightFigures

    @classmethod
    def on(cls, pool: IndexPool) -> AuditIndex:
        """The index read through `pool`."""
        return cls(pool, DecisionSearch(pool), OverrideReviews(pool), OversightFigures(pool))

    async def answers(self) -> bool:
        """Whether the database answers now."""
        return await index_answers(self.pool)
