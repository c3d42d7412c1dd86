"""The referral loop's rules: each referral's facts and clocks, folded from its events.

Working Together to Safeguard Children 2023 (DOMAIN.md, "Referrals and the loop
back to the referrer"): a decision within one working day of the referral;
feedback to the referrer on it; a child and family assessment within 45
working days of the referral; and, locally, each stage of a professional
disagreement within its timescale. Every event of one referral carries the
referral's id as its correlation_id.

Here, in event time (apply_event), the events start and settle clocks:
- ReferralMade / ReferralReceived start the decision clock (from the earlier);
- ReferralDecided settles it at `decided_at`, starts the feedback clock from
  `decided_at` - settled when the decision names the referrer, since the bus
  discloses it to the referrer as it routes it (under the referral-feedback
  agreement, the audit recording the permit) - and, for a child-in-need
  assessment or a section 47 enquiry, the assessment clock from the referral;
- AssessmentCompleted settles the assessment clock;
- a disagreement raised (or escalated by people) starts its stage's clock;
  resolved, the clock ends.
No alert is raised here: clocks fire on the wall clock (referral_clocks.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Final

from schemas.processing import Reading, Role
from services.thresholds.domain.context import EventContext, Trigger
from services.thresholds.domain.event_fields import Event, row_of
from services.thresholds.domain.exceptions import EventFieldError
from services.thresholds.domain.referral_clocks import (
    ASSESSMENT,
    DECISION,
    DISAGREEMENT,
    FEEDBACK,
    Entry,
    arm,
    drop,
    epoch,
    moment_of,
    settle,
)
from services.thresholds.domain.state import ChildState

# Referrals kept per child: the oldest finished ones go first past this.
MAX_REFERRALS: Final = 20
# Outcomes of a decision that start a child and family assessment.
ASSESSMENT_OUTCOMES: Final = frozenset({"child_in_need_assessment", "section_47_enquiry"})


def check_referral(ctx: EventContext, state: ChildState) -> list[Trigger]:
    """Fold one referral-loop event into its referral's facts and clocks; never alerts."""
    reading = row_of(ctx.event).reading
    referral = _referral_id(ctx.event)
    entry = state.referrals.setdefault(referral, {"clocks": {}})
    if reading is not None:
        _HANDLERS[reading](ctx, entry)
    keep_bounded(state)
    return []


def _referral_id(event: Event) -> str:
    value = event.get("correlation_id")
    if not isinstance(value, str) or not value:
        raise EventFieldError("field 'correlation_id' must hold the referral's id")
    return value


def _field(event: Event, role: Role) -> object:
    name = row_of(event).fields.get(role)
    return None if name is None else event.get(name)


def _agency(event: Event, role: Role) -> str | None:
    value = _field(event, role)
    if value is not None and not isinstance(value, str):
        raise EventFieldError(f"field of role {role!r} should be an agency id")
    return value


def _time(event: Event, name: str) -> dt.datetime:
    value = event.get(name)
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise EventFieldError(f"field {name!r} should be an aware timestamp")
    return value


def _made(ctx: EventContext, entry: Entry) -> None:
    entry["by"] = ctx.envelope.agency
    entry["to"] = _agency(ctx.event, "referred-to") or entry.get("to")
    _started(ctx, entry)


def _received(ctx: EventContext, entry: Entry) -> None:
    entry["to"] = entry.get("to") or ctx.envelope.agency
    entry["by"] = entry.get("by") or _agency(ctx.event, "referrer")
    _started(ctx, entry)


def _started(ctx: EventContext, entry: Entry) -> None:
    """The referral's start: the earliest of its making and its receipt."""
    at = ctx.envelope.occurred_at
    start = entry.get("at")
    if start is not None and epoch(at) >= start:
        return
    entry["at"] = epoch(at)
    rule, calendar = ctx.rules, ctx.calendar
    decision = entry["clocks"].get(DECISION)
    if start is None or (decision is not None and decision[1] == 0 and decision[2] is None):
        due = calendar.add_working_days(at, rule.referral_decision.working_days)
        arm(entry, DECISION, due, 0, ctx.envelope.event_id)
        if entry.get("decided") is not None:
            settle(entry, DECISION, moment_of(entry["decided"]))
    assessment = entry["clocks"].get(ASSESSMENT)
    if assessment is not None and assessment[1] == 0 and assessment[2] is None:
        due = calendar.add_working_days(at, rule.assessment.working_days)
        arm(entry, ASSESSMENT, due, 0, str(assessment[3]))


def _decided(ctx: EventContext, entry: Entry) -> None:
    event, calendar, rules = ctx.event, ctx.calendar, ctx.rules
    decided_at = _time(event, row_of(event).name("decided-at"))
    entry["decided"] = epoch(decided_at)
    entry["to"] = entry.get("to") or ctx.envelope.agency
    named = _agency(event, "referrer")
    entry["by"] = entry.get("by") or named
    settle(entry, DECISION, decided_at)
    if entry.get("fed") is None and entry.get("by") is not None:
        if FEEDBACK not in entry["clocks"]:
            due = calendar.add_working_days(decided_at, rules.referral_feedback.working_days)
            arm(entry, FEEDBACK, due, 0, ctx.envelope.event_id)
        if named is not None:
            reached = max(_time(event, "recorded_at"), decided_at)
            entry["fed"] = epoch(reached)
            settle(entry, FEEDBACK, reached)
    outcome = _field(event, "outcome")
    if (
        outcome in ASSESSMENT_OUTCOMES
        and ASSESSMENT not in entry["clocks"]
        and entry.get("assessed") is None
    ):
        start = moment_of(entry["at"]) if entry.get("at") is not None else decided_at
        due = calendar.add_working_days(start, rules.assessment.working_days)
        arm(entry, ASSESSMENT, due, 0, ctx.envelope.event_id)


def _assessed(ctx: EventContext, entry: Entry) -> None:
    entry["assessed"] = epoch(ctx.envelope.occurred_at)
    settle(entry, ASSESSMENT, ctx.envelope.occurred_at)


def _stage(event: Event) -> int:
    value = _field(event, "stage")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise EventFieldError("field 'stage' should be a stage number, 1 or more")
    return value


def _at_stage(ctx: EventContext, entry: Entry, stage: int) -> None:
    stages = ctx.rules.disagreement.stages
    if stage > len(stages):
        drop(entry, DISAGREEMENT)
        return
    due = ctx.calendar.add_working_days(ctx.envelope.occurred_at, stages[stage - 1].working_days)
    arm(entry, DISAGREEMENT, due, stage, ctx.envelope.event_id)


def _disagreement_raised(ctx: EventContext, entry: Entry) -> None:
    stage = _stage(ctx.event)
    entry["to"] = entry.get("to") or _agency(ctx.event, "raised-with")
    entry["by"] = entry.get("by") or _agency(ctx.event, "referrer") or ctx.envelope.agency
    if DISAGREEMENT not in entry["clocks"]:  # raised twice (a retry): the first one's clock runs
        _at_stage(ctx, entry, stage)


def _disagreement_escalated(ctx: EventContext, entry: Entry) -> None:
    stage = _stage(ctx.event)
    current = entry["clocks"].get(DISAGREEMENT)
    if current is None or int(current[1]) < stage:
        _at_stage(ctx, entry, stage)


def _disagreement_resolved(ctx: EventContext, entry: Entry) -> None:
    _stage(ctx.event)
    drop(entry, DISAGREEMENT)


_HANDLERS: Final[Mapping[Reading, Callable[[EventContext, Entry], None]]] = {
    "referral-made": _made,
    "referral-received": _received,
    "referral-decided": _decided,
    "assessment-completed": _assessed,
    "disagreement-raised": _disagreement_raised,
    "disagreement-escalated": _disagreement_escalated,
    "disagreement-resolved": _disagreement_resolved,
}
READINGS: Final = frozenset(_HANDLERS)


def keep_bounded(state: ChildState) -> None:
    """At most MAX_REFERRALS per child: referrals with no open clock go first, oldest first."""
    excess = len(state.referrals) - MAX_REFERRALS
    if excess <= 0:
        return
    order = sorted(
        state.referrals,
        key=lambda r: (bool(state.referrals[r].get("clocks")), state.referrals[r].get("at") or 0),
    )
    for referral in order[:excess]:
        del state.referrals[referral]
