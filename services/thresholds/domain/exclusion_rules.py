"""Suspensions and exclusions, school roll changes, and the plans a child has."""

from __future__ import annotations

import datetime as dt

from services.thresholds.domain.calendar import SchoolCalendar
from services.thresholds.domain.context import EventContext, Trigger
from services.thresholds.domain.event_fields import (
    exclusion,
    plan_alert_sessions,
    roll_destination,
    roll_school,
    row_of,
)
from services.thresholds.domain.exceptions import DateOutsideCalendarError
from services.thresholds.domain.state import ChildState

_PLANS_WITH_ATTENDANCE_EXPECTATIONS = ("cp", "cin")


def check_exclusion(ctx: EventContext, state: ChildState) -> list[Trigger]:
    """A suspension or permanent exclusion: notify a social worker; count suspension days."""
    issued = exclusion(ctx.event)
    event_id = ctx.envelope.event_id
    triggers = []
    rule = ctx.rules.exclusion_with_social_worker
    if any(p in state.plans for p in rule.plans):
        kind = "Permanent exclusion" if issued.permanent else "Suspension"
        summary = f"{kind} of a child with a social worker or looked after."
        triggers.append(Trigger(rule, (event_id,), summary, school=issued.school))
    if issued.permanent:
        return triggers
    year = ctx.calendar.academic_year_of(issued.start_date)
    state.suspensions = {k: v for k, v in state.suspensions.items() if k.startswith(year)}
    touched = []
    for day in _suspension_days(ctx.calendar, issued.start_date, issued.length_days):
        term = ctx.calendar.term_of(day)
        if term is not None and term.academic_year == year:
            state.suspensions[term.key] = state.suspensions.get(term.key, 0) + 1
            touched.append(term.key)
    per_term = ctx.rules.suspension_term
    over = [k for k in dict.fromkeys(touched) if state.suspensions[k] > per_term.max_days]
    if over:
        days = state.suspensions[over[0]]
        summary = f"Suspensions total {days} school days this term (past {per_term.max_days})."
        triggers.append(Trigger(per_term, (event_id,), summary, school=issued.school))
    per_year = ctx.rules.suspension_year
    total = sum(state.suspensions.values())
    if touched and total > per_year.max_days:
        summary = f"Suspensions total {total} school days this year (past {per_year.max_days})."
        triggers.append(Trigger(per_year, (event_id,), summary, school=issued.school))
    return triggers


def _suspension_days(calendar: SchoolCalendar, start: dt.date, length: int) -> list[dt.date]:
    """The school days a suspension covers, from `start` (or the next school day) on."""
    days: list[dt.date] = []
    try:
        day = start if calendar.is_school_day(start) else calendar.add_school_days(start, 1)
        while len(days) < length:
            days.append(day)
            day = calendar.add_school_days(day, 1)
    except DateOutsideCalendarError:
        pass  # days past the calendar's end are counted when the next year is loaded
    return days


def check_roll(ctx: EventContext, state: ChildState) -> list[Trigger]:
    """A pupil joined or left a school roll; a departure to an unknown destination alerts."""
    school = roll_school(ctx.event)
    if row_of(ctx.event).starts:
        state.school = school
        return []
    if state.school == school:
        state.school = None
    rule = ctx.rules.left_roll_unknown
    destination = (roll_destination(ctx.event) or "unknown").lower()
    if destination not in {d.lower() for d in rule.destinations}:
        return []
    summary = "Pupil left a school roll with no known destination."
    return [Trigger(rule, (ctx.envelope.event_id,), summary, school=school)]


def check_plan(ctx: EventContext, state: ChildState) -> list[Trigger]:
    """A plan or looked-after episode started or ended: remember who holds it."""
    row = row_of(ctx.event)
    kind = row.fact
    if kind is None:
        raise KeyError(f"{ctx.envelope.event_type} changes no plan")
    if row.starts:
        state.plans[kind] = ctx.envelope.agency
        if kind in _PLANS_WITH_ATTENDANCE_EXPECTATIONS:
            state.plan_unexplained = 0
            state.plan_alert_sessions = plan_alert_sessions(ctx.event)
    else:
        state.plans.pop(kind, None)
        if not any(p in state.plans for p in _PLANS_WITH_ATTENDANCE_EXPECTATIONS):
            state.plan_alert_sessions, state.plan_unexplained = None, 0
    return []
