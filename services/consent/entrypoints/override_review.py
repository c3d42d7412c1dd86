"""Routes for the review of safeguarding overrides: the queue, and recording a review."""

# No `from __future__ import annotations`: FastAPI must resolve the route
# annotations, which use aliases local to the route factory.
from collections.abc import Callable
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query

from services.audit.index_cursor import MAX_OFFSET, MAX_PARTITION
from services.audit.index_queries import MAX_PAGE_SIZE, PAGE_SIZE
from services.audit.index_reviews import QueueState
from services.consent.audit import page_after
from services.consent.entrypoints.audit_models import (
    AgreementSummary,
    OverridePage,
    ReviewOut,
)
from services.consent.entrypoints.audit_search import AUDIT_ERRORS
from services.consent.reviews import RecordReview, record_review
from services.consent.runtime import Runtime, RuntimeSlot
from services.consent.state import ConsentState
from services.consent.users import User

REVIEW_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    **AUDIT_ERRORS,
    400: {"description": "the body is not JSON"},
    404: {"description": "no such decision (without decided_at only overrides are searched)"},
    413: {"description": "the body is over 256 KiB"},
    422: {"description": "the body breaks a rule, or the decision is not an override"},
    503: {"description": "the bus or the audit database does not answer; nothing was recorded"},
}


def _agreement(state: ConsentState, agreement_id: str | None) -> AgreementSummary | None:
    agreement = state.agreement(agreement_id) if agreement_id else None
    if agreement is None:
        return None
    return AgreementSummary(
        id=agreement.id,
        version=agreement.version,
        title=agreement.title,
        status=agreement.status,
        purpose=agreement.purpose,
        legal_basis=agreement.legal_basis,
    )


def _with_agreements(runtime: Runtime, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    state = runtime.service.state
    return [{**row, "agreement": _agreement(state, row["agreement_id"])} for row in rows]


def override_routes(
    slot: RuntimeSlot, ig_lead: Callable[..., User], overseer: Callable[..., User]
) -> APIRouter:
    """The queue (IG lead or auditor) and reviews (IG lead only)."""
    routes = APIRouter(prefix="/v1/audit/overrides", tags=["override review"])
    IgLead = Annotated[User, Depends(ig_lead)]  # noqa: N806 - a type alias, named like one
    Overseer = Annotated[User, Depends(overseer)]  # noqa: N806

    @routes.get(
        "",
        responses=AUDIT_ERRORS,
        summary="Safeguarding overrides, oldest first, each with its reviews and agreement "
        "(state: unreviewed - the queue -, reviewed or all)",
    )
    async def override_queue(
        _: Overseer,
        state: QueueState = "unreviewed",
        cursor: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
    ) -> OverridePage:
        runtime = slot.get()
        page = await runtime.index.reviews.queue(state, page_after(cursor), limit)
        return OverridePage.model_validate(
            {
                "count": len(page.rows),
                "overrides": _with_agreements(runtime, page.rows),
                "next_cursor": page.next_cursor,
            }
        )

    @routes.post(
        "/{partition}/{offset}/reviews",
        status_code=201,
        responses=REVIEW_ERRORS,
        summary="Record a review of the override at this partition and offset of "
        "audit.disclosures: upheld or escalate, with a note (published to audit.reviews first)",
    )
    async def review_override(
        user: IgLead,
        partition: Annotated[int, Path(ge=0, le=MAX_PARTITION)],
        offset: Annotated[int, Path(ge=0, le=MAX_OFFSET)],
        command: RecordReview,
    ) -> ReviewOut:
        runtime = slot.get()
        review = await record_review(
            runtime.index,
            runtime.reviews,
            (partition, offset),
            command,
            reviewer=user.name,
            now=runtime.service.clock(),
        )
        return ReviewOut.model_validate(review.as_row())

    return routes
