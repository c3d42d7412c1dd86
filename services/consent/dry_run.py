"""Dry run: who would see which fields of an event, under which agreement, or why not.

Decides with the live agreements and what the service knows of the child (its
directives), plus the facts the request gives (roll, plans, looked after, lead
professional), for every agency of the directory except the provider. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from consent.decision import decide_disclosure
from consent.domain.child import ChildState, Plan
from consent.domain.directive import ConsentDirective
from consent.domain.disclosure import Permit
from consent.domain.event import EventFacts
from consent.index import PolicyIndex
from schemas.child_ref import CHILD_REF_RULE, is_child_ref
from schemas.envelope import ENVELOPE_NAME_SET
from services.consent.exceptions import InvalidRequestError
from services.consent.handlers import ConsentService

# The child a dry run without a child_ref is about: no directives, nothing known. Never
# a child_ref (it fails the form), so it can match no real child's state.
DEFAULT_CHILD = "dry-run-child"
ENVELOPE = ENVELOPE_NAME_SET


class DryRunRequest(BaseModel):
    """An event as the gateway takes it (`event`), or its type, provider and fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: dict[str, Any] | None = None
    event_type: str | None = None
    provider: str | None = None
    child_ref: str | None = Field(default=None, min_length=1, max_length=200)
    fields: frozenset[str] | None = None
    at: AwareDatetime | None = None
    on_roll_at: frozenset[str] = frozenset()
    active_plans: frozenset[Plan] = frozenset()
    looked_after: bool = False
    lead_professional: str | None = None


class RecipientDecision(BaseModel):
    """The decision for one candidate recipient."""

    recipient: str
    recipient_name: str
    recipient_kind: str
    decision: str
    audited: bool
    fields: list[str] = []
    agreement_id: str | None = None
    agreement_version: int | None = None
    legal_basis: str | None = None
    purpose: str | None = None
    override: bool = False
    overridden_directive_id: str | None = None
    reason: str | None = None
    detail: str | None = None


class DryRunResult(BaseModel):
    """Every recipient's decision for one event."""

    event_type: str
    provider: str
    child_ref: str
    decided_at: datetime
    policy_version: str
    decisions: list[RecipientDecision]


def _text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(field, "must be a non-empty string")
    return value


def _facts_of(request: DryRunRequest) -> tuple[str, str, str, frozenset[str] | None]:
    event = request.event or {}
    source = event.get("source")
    agency = source.get("agency") if isinstance(source, Mapping) else None
    event_type = _text(event.get("event_type"), "event.event_type") or request.event_type
    provider = _text(agency, "event.source.agency") or request.provider
    if event_type is None:
        raise InvalidRequestError("event_type", "give event_type, or an event with one")
    if provider is None:
        raise InvalidRequestError("provider", "give provider, or an event with source.agency")
    child_ref = _text(event.get("child_ref"), "event.child_ref") or request.child_ref
    if child_ref is not None and not is_child_ref(child_ref):
        where = "event.child_ref" if event.get("child_ref") else "child_ref"
        raise InvalidRequestError(where, CHILD_REF_RULE)
    present = frozenset(event) if request.event is not None else request.fields
    return event_type, provider, child_ref or DEFAULT_CHILD, present


def dry_run(
    service: ConsentService,
    request: DryRunRequest,
    field_classes: Callable[[str], Mapping[str, str]],
) -> DryRunResult:
    """Decide the event for every agency of the directory but its provider."""
    event_type, provider, child_ref, present = _facts_of(request)
    if event_type not in service.event_types:
        raise InvalidRequestError("event_type", f"{event_type!r} is not in the schema catalogue")
    publisher = service.directory.get(provider)
    if publisher is None:
        raise InvalidRequestError("provider", f"{provider!r} is not in the agency directory")
    at = request.at or service.clock()
    classes = field_classes(event_type)
    facts = EventFacts(event_type, provider, publisher.kind, child_ref, at, classes)
    directives: tuple[ConsentDirective, ...] = tuple(
        held.directive for held in service.state.directives_of(child_ref)
    )
    state = ChildState(
        child_ref=child_ref,
        on_roll_at=request.on_roll_at,
        active_plans=request.active_plans,
        looked_after=request.looked_after,
        lead_professional=request.lead_professional,
        directives=directives,
    )
    index = PolicyIndex.compile(service.state.latest_agreements(), service.directory)
    audited = {agency.id for agency in index.candidate_recipients(facts, state)}
    decisions = []
    for agency in service.directory.agencies:
        if agency.id == provider:
            continue
        outcome = decide_disclosure(facts, agency, state, index, at)
        decision = RecipientDecision(
            recipient=agency.id,
            recipient_name=agency.name,
            recipient_kind=agency.kind,
            decision=outcome.decision,
            audited=agency.id in audited,
            agreement_id=outcome.agreement_id,
            agreement_version=outcome.agreement_version,
        )
        if isinstance(outcome, Permit):
            shown = outcome.fields if present is None else outcome.fields & (present | ENVELOPE)
            decision = decision.model_copy(
                update={
                    "fields": sorted(shown),
                    "legal_basis": outcome.legal_basis,
                    "purpose": outcome.purpose,
                    "override": outcome.override,
                    "overridden_directive_id": outcome.overridden_directive_id,
                }
            )
        else:
            decision = decision.model_copy(
                update={"reason": outcome.reason, "detail": outcome.detail}
            )
        decisions.append(decision)
    return DryRunResult(
        event_type=event_type,
        provider=provider,
        child_ref=child_ref,
        decided_at=at,
        policy_version=index.policy_version,
        decisions=decisions,
    )
