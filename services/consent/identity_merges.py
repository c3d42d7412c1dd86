"""Identity stewards' use cases: merge two child_refs of one child, unmerge, list merges.

A merge is a person's decision (docs/identity.md): the gateway refuses to join
two child_refs on its own. Each decision is published to identity.merges
first, keyed by the absorbed child_ref, and remembered in the ledger only once
the broker has it, under one lock, so the rules (services/identity/domain/
merges.py) are checked against every decision before it. The event on the
topic is the record of the decision; the log line names the merge id and the
steward, never a child_ref.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

import structlog
from pydantic import BaseModel, ConfigDict, Field

from services.consent.commands import checked_child_ref
from services.consent.exceptions import ConflictError, InvalidRequestError, NotFoundError
from services.identity.domain.merges import Merge, MergeLedger, StewardDecision
from services.identity.exceptions import (
    MergeConflictError,
    MergeRefusedError,
    UnknownMergeError,
)
from services.identity.merge_events import merged_record, unmerged_record, whole_millis

log = structlog.get_logger("joinedup.consent")
Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class MergeRequest(BaseModel):
    """Merge `absorbed_child_ref` into `surviving_child_ref`: one child, two refs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    surviving_child_ref: str = Field(max_length=200)
    absorbed_child_ref: str = Field(max_length=200)
    reason: Reason


class UnmergeRequest(BaseModel):
    """Reverse a merge: the two refs are two children after all (or the merge was wrong)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: Reason


class MergePublisher(Protocol):
    """Writes identity stewards' decisions to identity.merges."""

    async def publish(self, event_type: str, record: dict[str, Any], absorbed: str) -> None:
        """Publish one decision keyed by the absorbed child_ref (returns once the broker has it)."""
        ...


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class MergeService:
    """What the identity stewards' use cases work on, injected by the bootstrap or tests."""

    ledger: MergeLedger
    publisher: MergePublisher
    clock: Callable[[], datetime] = _now
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _refused(exc: MergeRefusedError) -> Exception:
    """The consent service's error (and HTTP status) for a refused merge or unmerge."""
    if isinstance(exc, UnknownMergeError):
        return NotFoundError(exc.field, exc.rule)
    if isinstance(exc, MergeConflictError):
        return ConflictError(exc.field, exc.rule)
    return InvalidRequestError(exc.field, exc.rule)


async def merge_children(service: MergeService, steward: str, command: MergeRequest) -> Merge:
    """Publish the steward's merge of two child_refs, then remember it."""
    surviving = checked_child_ref(command.surviving_child_ref, "surviving_child_ref")
    absorbed = checked_child_ref(command.absorbed_child_ref, "absorbed_child_ref")
    async with service.lock:
        try:
            service.ledger.check_merge(surviving, absorbed)
        except MergeRefusedError as exc:
            raise _refused(exc) from None
        decision = StewardDecision(steward, command.reason, whole_millis(service.clock()))
        merge = Merge(str(uuid.uuid4()), surviving, absorbed, decision)
        await service.publisher.publish("ChildRefsMerged", merged_record(merge), absorbed)
        service.ledger.record_merge(merge)
    log.info("child_refs merged", merge_id=merge.merge_id, steward=steward)
    return merge


async def unmerge_children(
    service: MergeService, steward: str, merge_id: str, command: UnmergeRequest
) -> Merge:
    """Publish the steward's unmerge of merge `merge_id`, then remember it."""
    async with service.lock:
        try:
            merge = service.ledger.check_unmerge(merge_id)
        except MergeRefusedError as exc:
            raise _refused(exc) from None
        decision = StewardDecision(steward, command.reason, whole_millis(service.clock()))
        unmerged = replace(merge, unmerged=decision)
        await service.publisher.publish(
            "ChildRefsUnmerged", unmerged_record(unmerged), merge.absorbed
        )
        service.ledger.record_unmerge(merge_id, decision)
    log.info("child_refs unmerged", merge_id=merge_id, steward=steward)
    return unmerged


def list_merges(service: MergeService, child_ref: str | None) -> list[Merge]:
    """Merges naming `child_ref` on either side (None: every merge), oldest first."""
    if child_ref is not None:
        checked_child_ref(child_ref)
    return service.ledger.merges_of(child_ref)
