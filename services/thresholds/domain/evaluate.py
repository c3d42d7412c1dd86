"""Apply one event to a child's state and draft the alerts the rules raise.

Pure: the same state and event give the same result; time is event time
(the register date, or occurred_at), never the wall clock. Which event types
feed the multi-agency match and the repeat-missing rule is rule data
(`event_types` in threshold-rules.yaml); the other checks follow from the table
of event types (schemas/processing.py): the fact an event changes and how rules read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from schemas.processing import PLANS, PROCESSING, EventProcessing, Fact, Reading
from services.thresholds.domain.alerts import MAX_EVIDENCE, AlertDraft, Recipient, dedupe_key
from services.thresholds.domain.attendance_rules import check_attendance
from services.thresholds.domain.calendar import SchoolCalendar
from services.thresholds.domain.context import EventContext, Trigger
from services.thresholds.domain.event_fields import Event, attendance_mark, envelope
from services.thresholds.domain.exclusion_rules import check_exclusion, check_plan, check_roll
from services.thresholds.domain.referral_rules import READINGS, check_referral
from services.thresholds.domain.register_codes import RegisterCodes
from services.thresholds.domain.rules import Deadline, RecipientSpec, RuleSet
from services.thresholds.domain.safeguarding_rules import (
    check_encompass,
    check_match,
    check_missing,
)
from services.thresholds.domain.state import ChildState

Check = Callable[[EventContext, ChildState], list[Trigger]]

_BY_FACT: Mapping[Fact, Check] = {"roll": check_roll, **dict.fromkeys(PLANS, check_plan)}
_BY_READING: Mapping[Reading, Check] = {
    "register-mark": check_attendance,
    "suspension": check_exclusion,
    "permanent-exclusion": check_exclusion,
    "domestic-abuse-incident": check_encompass,
    # The referral loop keeps clocks; its alerts come from the worker's tick.
    **dict.fromkeys(READINGS, check_referral),
}


def _checks_of(row: EventProcessing) -> tuple[Check, ...]:
    """The checks of the fact an event type changes, then those of how rules read it."""
    by_fact = _BY_FACT.get(row.fact) if row.fact else None
    by_reading = _BY_READING.get(row.reading) if row.reading else None
    return tuple(check for check in (by_fact, by_reading) if check is not None)


_CHECKS: Mapping[str, tuple[Check, ...]] = {
    event_type: _checks_of(row) for event_type, row in PROCESSING.items()
}


def apply_event(
    state: ChildState,
    event: Event,
    rules: RuleSet,
    calendar: SchoolCalendar,
    codes: RegisterCodes,
) -> tuple[ChildState, list[AlertDraft]]:
    """The child's new state after `event`, and the alerts it raises (cool-down applied)."""
    env = envelope(event)
    row = PROCESSING.get(env.event_type)
    if row is not None and row.reading == "register-mark":
        day = attendance_mark(event).date
    else:
        day = calendar.local_date(env.occurred_at)
    ctx = EventContext(event, env, rules, calendar, codes, day)
    new = state.copy()
    checks = list(_CHECKS.get(env.event_type, ()))
    if env.event_type in rules.multi_agency_match.event_types:
        checks.append(check_match)
    if env.event_type in rules.missing_episodes.event_types:
        checks.append(check_missing)
    triggers = [trigger for check in checks for trigger in check(ctx, new)]
    _forget_cooled_down(new, rules, day)
    alerts = [draft for trigger in triggers if (draft := _raise(ctx, new, trigger)) is not None]
    return new, alerts


def _forget_cooled_down(state: ChildState, rules: RuleSet, day: dt.date) -> None:
    if not state.last_raised:
        return
    cool_down = {rule.id: rule.cool_down_days for rule in rules.all()}
    today = day.toordinal()
    state.last_raised = {
        rule_id: raised
        for rule_id, raised in state.last_raised.items()
        if today < raised + cool_down.get(rule_id, 0)
    }


def _raise(ctx: EventContext, state: ChildState, trigger: Trigger) -> AlertDraft | None:
    """The alert for `trigger`, or None when the rule is off or cooling down for this child."""
    rule = trigger.rule
    if not rule.enabled:
        return None
    today = ctx.day.toordinal()
    last = state.last_raised.get(rule.id)
    if last is not None and today < last + rule.cool_down_days:
        return None
    if rule.cool_down_days:
        state.last_raised[rule.id] = max(today, last or today)
    due_from = trigger.due_from or ctx.envelope.occurred_at
    return AlertDraft(
        rule_id=rule.id,
        severity=rule.severity,
        child_ref=ctx.envelope.child_ref,
        raised_at=ctx.envelope.occurred_at,
        evidence_event_ids=trigger.evidence[-MAX_EVIDENCE:],
        recipients=_recipients(rule.recipients, trigger, state),
        summary=trigger.summary,
        dedupe_key=dedupe_key(rule.id, ctx.envelope.child_ref, ctx.envelope.event_id),
        due_by=_due_by(rule.deadline, due_from, ctx.calendar),
        escalate_to=_recipients(rule.escalate_to, trigger, state),
        involved_agencies=trigger.involved,
    )


def _recipients(
    specs: tuple[RecipientSpec, ...], trigger: Trigger, state: ChildState
) -> tuple[Recipient, ...]:
    found: dict[Recipient, None] = {}
    for spec in specs:
        for agency in _agencies(spec, trigger, state):
            found[Recipient(spec.role, agency)] = None
    return tuple(found)


def _agencies(spec: RecipientSpec, trigger: Trigger, state: ChildState) -> list[str]:
    if spec.agency_id is not None:
        return [spec.agency_id]
    if spec.relation == "school":
        related = [a for a in (trigger.school or state.school,) if a]
    elif spec.relation == "plan-holder":
        related = list(
            dict.fromkeys(state.plans[k] for k in ("lac", "cp", "cin") if k in state.plans)
        )
    else:
        related = list(trigger.involved)
    if not related and spec.fallback_agency_id:
        return [spec.fallback_agency_id]
    return related


def _due_by(
    deadline: Deadline | None, due_from: dt.datetime, calendar: SchoolCalendar
) -> dt.datetime | None:
    if deadline is None:
        return None
    if deadline.kind == "hours":
        return due_from + dt.timedelta(hours=deadline.amount)
    if deadline.kind == "next-school-day-start":
        return calendar.next_school_day_start(due_from, deadline.start_time)
    day = calendar.add_school_days(calendar.local_date(due_from), deadline.amount)
    return dt.datetime.combine(day, calendar.school_day_start, tzinfo=calendar.timezone)
