"""decide_disclosure: may this recipient see this event about this child, and what of it.

The rule, in order:
1. Default deny. The candidate agreements are those of the index for
   (event type, recipient) whose provider is the event's provider (by id or
   kind). None -> deny `no-agreement`.
2. An agreement counts only when in force at `at` ([valid_from, valid_to);
   retired versions are not in the index), when every condition holds for
   the child, and when consent allows it: the most recently recorded
   directive that applies (purpose, recipient, period contain `at`) governs;
   a withdrawal or objection is overridden only by a safeguarding legal
   basis, and the permit then says `override=True` and names the directive;
   a consent-based agreement needs a governing directive of kind `given`.
3. Several agreements may count; a permit cites exactly one, never a union
   of several. Preferred: one that needs no override; then the one that
   discloses the most fields of this event (each agreement's field set was
   judged lawful and necessary for its purpose on its own); then the lowest
   agreement id, so the choice is deterministic.
4. The fields are the envelope's operational fields plus the event fields
   whose data class the agreement allows or that it names; never others.
5. When none counts, the deny reports the furthest stage any candidate
   reached (not in force < condition < consent not given < withdrawn),
   citing the lowest agreement id among those that reached it. The outcome
   never depends on the order of the candidates.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from consent.domain.agency import Agency
from consent.domain.child import ChildState
from consent.domain.directive import ConsentDirective
from consent.domain.disclosure import DENY_REASON_TEXT, Deny, DenyReason, Disclosure, Permit
from consent.domain.event import EventFacts
from consent.index import PolicyIndex
from consent.rules import CompiledRule

_RANK: dict[DenyReason, int] = {
    "no-agreement": 0,
    "agreement-not-in-force": 1,
    "condition-not-met": 2,
    "consent-not-given": 3,
    "consent-withdrawn": 4,
}


def decide_disclosure(
    event: EventFacts,
    recipient: Agency,
    state: ChildState,
    policy: PolicyIndex,
    at: datetime,
) -> Disclosure:
    """Decide what of `event` the `recipient` may see at `at` (pure, default deny)."""
    return choose_disclosure(policy.rules_for(event, recipient.id), event, recipient, state, at)


def choose_disclosure(
    rules: Sequence[CompiledRule],
    event: EventFacts,
    recipient: Agency,
    state: ChildState,
    at: datetime,
) -> Disclosure:
    """Decide among the candidate rules already found for this event and recipient."""
    best: Permit | None = None
    best_directive: ConsentDirective | None = None
    worst: DenyReason = "no-agreement"
    worst_rule: CompiledRule | None = None
    worst_detail = ""
    for rule in rules:
        reason, detail, governing = _verdict(rule, event, recipient, state, at)
        if reason is not None:
            if (
                worst_rule is None
                or _RANK[reason] > _RANK[worst]
                or (reason == worst and rule.agreement_id < worst_rule.agreement_id)
            ):
                worst, worst_rule, worst_detail = reason, rule, detail
            continue
        permit = rule.permit(event.event_type, event.field_classes)
        if best is None or _preferred(permit, governing, best, best_directive):
            best, best_directive = permit, governing
    if best is None:
        if worst_rule is None:
            return _no_agreement()
        return worst_rule.deny(worst, worst_detail, keep=worst != "consent-withdrawn")
    if best_directive is None:
        return best
    return best.model_copy(update={"override": True, "overridden_directive_id": best_directive.id})


def _verdict(
    rule: CompiledRule, event: EventFacts, recipient: Agency, state: ChildState, at: datetime
) -> tuple[DenyReason | None, str, ConsentDirective | None]:
    """Why this rule denies (reason, detail), or None and the directive it overrides."""
    if not rule.in_force(at):
        return "agreement-not-in-force", "", None
    unmet = rule.unmet_condition(state, recipient.id, event.referrer)
    if unmet is not None:
        return "condition-not-met", f"condition {unmet} does not hold", None
    governing = None
    if state.directives:
        governing = _governing_directive(state.directives, rule, event, recipient, at)
    if governing is not None and governing.kind != "given":
        if rule.safeguarding:
            return None, "", governing
        return "consent-withdrawn", f"directive {governing.id}", None
    if rule.requires_consent and governing is None:
        return "consent-not-given", "", None
    return None, "", None


def _preferred(
    permit: Permit,
    overridden: ConsentDirective | None,
    best: Permit,
    best_overridden: ConsentDirective | None,
) -> bool:
    """Whether `permit` beats `best`: no override, then more fields, then lower id."""
    if (overridden is None) != (best_overridden is None):
        return overridden is None
    if len(permit.fields) != len(best.fields):
        return len(permit.fields) > len(best.fields)
    return permit.agreement_id < best.agreement_id


def _governing_directive(
    directives: Sequence[ConsentDirective],
    rule: CompiledRule,
    event: EventFacts,
    recipient: Agency,
    at: datetime,
) -> ConsentDirective | None:
    """The most recently recorded directive that applies to this rule and recipient."""
    governing: ConsentDirective | None = None
    for directive in directives:
        if (
            directive.child_ref == event.child_ref
            and directive.applies(rule.purpose, recipient.id, recipient.kind, at)
            and (governing is None or directive.recorded_at > governing.recorded_at)
        ):
            governing = directive
    return governing


@functools.cache
def _no_agreement() -> Deny:
    return Deny(reason="no-agreement", detail=DENY_REASON_TEXT["no-agreement"])
