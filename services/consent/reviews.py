"""The IG lead's use case: record a review of one safeguarding override.

The decision must be in the audit index and be an override. The review is
published as an `OverrideReviewed` event first (the topic is the system of
record); only once the broker has it is its row written to the index, so a
failed publish leaves nothing behind.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Protocol

import structlog
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from services.audit.index import AuditIndex
from services.audit.index_cursor import key_of
from services.audit.index_reviews import MAX_NOTE_CHARS, Outcome, OverrideReview
from services.consent.exceptions import InvalidRequestError, NotFoundError

log = structlog.get_logger("joinedup.consent")


class ReviewPublisher(Protocol):
    """Writes reviews to the reviews topic."""

    async def publish_review(self, review: OverrideReview, child_ref: str) -> None:
        """Publish one review (returns once the broker has it; UnavailableError otherwise)."""
        ...


class RecordReview(BaseModel):
    """An IG lead's review of one override (the decision is named by the URL)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: Outcome
    note: Annotated[str, Field(min_length=1, max_length=MAX_NOTE_CHARS)]
    decided_at: AwareDatetime | None = Field(
        default=None, description="The decision's time (its recorded_at): finds it at once."
    )
    review_id: uuid.UUID | None = Field(
        default=None, description="Set it to make a retried request record one review, not two."
    )

    @field_validator("note")
    @classmethod
    def _said_something(cls, note: str) -> str:
        if not note.strip():
            raise ValueError("must say why (not only spaces)")
        return note


async def record_review(  # noqa: PLR0913 - the index, the topic, the decision, the review, who, when
    index: AuditIndex,
    publisher: ReviewPublisher,
    where: tuple[int, int],
    command: RecordReview,
    *,
    reviewer: str,
    now: datetime,
) -> OverrideReview:
    """Record `command` on the override at `where` (partition, offset of audit.disclosures)."""
    partition, offset = where
    decision = await index.search.decision(partition, offset, command.decided_at)
    if decision is None:
        scope = "" if command.decided_at else " among the overrides (give decided_at to look wider)"
        raise NotFoundError(
            "offset", f"no decision at partition {partition} offset {offset}{scope}"
        )
    if not decision["override"]:
        raise InvalidRequestError(
            "decision", "is not a safeguarding override: only overrides are reviewed"
        )
    review = OverrideReview(
        review_id=command.review_id or uuid.uuid4(),
        decision=key_of(decision),
        outcome=command.outcome,
        note=command.note,
        reviewer=reviewer,
        reviewed_at=now,
    )
    await publisher.publish_review(review, decision["child_ref"])
    written = await index.reviews.record(review)
    log.info(  # never the child, never the note
        "override reviewed",
        outcome=review.outcome,
        partition=partition,
        offset=offset,
        replayed=not written,
    )
    return review
