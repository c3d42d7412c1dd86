"""Routes for identity stewards: merge two child_refs of one child, unmerge, list merges."""

# No `from __future__ import annotations`: FastAPI must resolve the route
# annotations, which use aliases local to the route factory.
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from services.consent.entrypoints.agreements import ERRORS
from services.consent.exceptions import NotReadyError
from services.consent.identity_merges import (
    MergeRequest,
    MergeService,
    UnmergeRequest,
    list_merges,
    merge_children,
    unmerge_children,
)
from services.consent.runtime import RuntimeSlot
from services.consent.users import User
from services.identity.domain.merges import Merge

MERGE_ERRORS = {**ERRORS, 404: {"description": "no merge has this id"}}


class MergeOut(BaseModel):
    """One merge as the API shows it; `status` unmerged once a steward reversed it."""

    merge_id: str
    surviving_child_ref: str
    absorbed_child_ref: str
    status: Literal["merged", "unmerged"]
    steward: str
    reason: str
    decided_at: datetime
    unmerged_by: str | None = None
    unmerge_reason: str | None = None
    unmerged_at: datetime | None = None


def merge_out(merge: Merge) -> MergeOut:
    """The API's view of a merge."""
    undone = merge.unmerged
    return MergeOut(
        merge_id=merge.merge_id,
        surviving_child_ref=merge.surviving,
        absorbed_child_ref=merge.absorbed,
        status="merged" if undone is None else "unmerged",
        steward=merge.merged.steward,
        reason=merge.merged.reason,
        decided_at=merge.merged.decided_at,
        unmerged_by=undone.steward if undone else None,
        unmerge_reason=undone.reason if undone else None,
        unmerged_at=undone.decided_at if undone else None,
    )


def identity_routes(slot: RuntimeSlot, steward: Callable[..., User]) -> APIRouter:
    """The identity merge routes; every one needs the identity-steward role."""
    routes = APIRouter(prefix="/v1/identity/merges", tags=["identity"], responses=MERGE_ERRORS)
    Steward = Annotated[User, Depends(steward)]  # noqa: N806 - a type alias, named like one
    MergeId = Annotated[str, Path(min_length=1, max_length=64)]  # noqa: N806

    def service() -> MergeService:
        merges = slot.get().merges
        if merges is None:
            raise NotReadyError("service", "identity merges are not set up on this service")
        return merges

    @routes.post(
        "",
        status_code=201,
        summary="Merge absorbed_child_ref into surviving_child_ref: one child known by both",
    )
    async def merge(user: Steward, command: MergeRequest) -> MergeOut:
        return merge_out(await merge_children(service(), user.name, command))

    @routes.post(
        "/{merge_id}/unmerge",
        summary="Reverse a merge: new events of the absorbed child_ref are its own again",
    )
    async def unmerge(user: Steward, merge_id: MergeId, command: UnmergeRequest) -> MergeOut:
        return merge_out(await unmerge_children(service(), user.name, merge_id, command))

    @routes.get("", summary="Merges naming child_ref on either side (none given: every merge)")
    async def merges(
        _: Steward, child_ref: Annotated[str | None, Query(max_length=200)] = None
    ) -> list[MergeOut]:
        return [merge_out(found) for found in list_merges(service(), child_ref)]

    return routes
