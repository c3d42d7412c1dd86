"""Attendance rules over register marks.

Absence rates, continuous and rolling unauthorised absence, illness, absence of
looked-after children and unexplained absence of children on a plan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from services.thresholds.domain.context import EventContext, Trigger
from services.thresholds.domain.event_fields import AttendanceMark, attendance_mark
from services.thresholds.domain.register_codes import CodeCounting
from services.thresholds.domain.rules import AbsenceRateRule, ContinuousAbsenceRule
from services.thresholds.domain.state import ChildState, remember_id, session_key

# How far back (calendar days from the newest mark) a later mark for a session is known to
# replace an earlier one. Registers are corrected within days; a correction older than
# this counts as a new session, and the stored state stays a few hundred bytes per child.
CORRECTION_WINDOW_DAYS = 28


def check_attendance(ctx: EventContext, state: ChildState) -> list[Trigger]:
    """Update the child's attendance state with one register mark; report rules it meets."""
    mark = attendance_mark(ctx.event)
    counting = ctx.codes(mark.code)
    event_id = ctx.envelope.event_id
    if counting.counts_as_possible_session:
        state.school = mark.school
    replaced = _count(ctx, state, mark, counting)
    if counting.counts_as_absence:
        remember_id(state.absence_ids, event_id)
    if counting.unauthorised:
        remember_id(state.unauthorised_ids, event_id)
    triggers = [
        *_rates(ctx, state, counting),
        *_streak(ctx, state, mark, counting),
        *_rolling(ctx, state, mark, counting),
        *_plans(ctx, state, mark, replaced),
    ]
    return [_at_school(t, mark.school) for t in triggers]


def _at_school(trigger: Trigger, school: str) -> Trigger:
    return dataclasses.replace(trigger, school=school)


def _count(
    ctx: EventContext, state: ChildState, mark: AttendanceMark, counting: CodeCounting
) -> str | None:
    """Add the mark to the academic-year and term counters (a later period resets them).

    A session has one mark: a later mark for a session already counted this year
    (a correction, or the same mark under another id) takes the earlier one's
    place in the counts. Returns the code it replaced, if any.
    """
    year = ctx.calendar.academic_year_of(mark.date)
    if state.year is not None and year < state.year:
        return None  # a late mark for a closed year: the windows have moved on
    if year != state.year:
        state.year, state.year_counts, state.marks = year, [0, 0, 0], {}
    number = session_key(mark.date.toordinal(), pm=mark.pm)
    key = str(number)
    replaced = state.marks.get(key)
    state.marks[key] = mark.code
    _forget_old_marks(state.marks, number)
    earlier = ctx.codes(replaced) if replaced is not None else None
    _tally(state.year_counts, counting, +1)
    _tally(state.year_counts, earlier, -1)
    term = ctx.calendar.term_of(mark.date)
    if term is None:
        return replaced
    start = term.start.toordinal()
    if state.term is None or start > state.term:
        state.term, state.term_counts = start, [0, 0]
    if start == state.term:
        _tally(state.term_counts, counting, +1)
        _tally(state.term_counts, earlier, -1)
    return replaced


def _forget_old_marks(marks: dict[str, str], newest: int) -> None:
    """Keep the marks of the last CORRECTION_WINDOW_DAYS days only: the state stays small."""
    oldest = newest - 2 * CORRECTION_WINDOW_DAYS
    for key in [k for k in marks if int(k) < oldest]:
        del marks[key]


def _tally(counts: list[int], counting: CodeCounting | None, sign: int) -> None:
    """Add (sign +1) or take back (-1) one mark's possible, absence and illness sessions."""
    if counting is None:
        return
    possible = counting.counts_as_possible_session
    tallies = (possible, possible and counting.counts_as_absence, counting.illness)
    for index, counted in enumerate(tallies[: len(counts)]):
        counts[index] += sign * int(counted)


def _rate_met(rule: AbsenceRateRule, state: ChildState) -> tuple[int, int] | None:
    possible, absent = (
        state.year_counts[:2] if rule.window == "academic-year" else state.term_counts
    )
    if possible >= rule.minimum_sessions and absent * 100 >= rule.threshold_percent * possible:
        return absent, possible
    return None


def _rates(ctx: EventContext, state: ChildState, counting: CodeCounting) -> list[Trigger]:
    if not (counting.counts_as_absence and counting.counts_as_possible_session):
        return []
    severe, persistent = ctx.rules.severe_absence, ctx.rules.persistent_absence
    # A child past the severe threshold gets the severe alert, not both.
    met_severe = _rate_met(severe, state) if severe.enabled else None
    met = (severe, met_severe) if met_severe else (persistent, _rate_met(persistent, state))
    rule, numbers = met
    if numbers is None:
        return []
    absent, possible = numbers
    window = "academic year" if rule.window == "academic-year" else "term"
    summary = (
        f"Absence of {absent} of {possible} possible sessions this {window} "
        f"(at or above {rule.threshold_percent:g}%)."
    )
    return [Trigger(rule, tuple(state.absence_ids), summary)]


def _streak(
    ctx: EventContext, state: ChildState, mark: AttendanceMark, counting: CodeCounting
) -> list[Trigger]:
    """Continuous unauthorised absence, counted in school days of the calendar."""
    key = session_key(mark.date.toordinal(), pm=mark.pm)
    if not counting.unauthorised:
        if counting.counts_as_possible_session and (not state.streak or key >= state.streak[0]):
            state.streak = []  # present, or an authorised absence, ends the run
        return []
    if not state.streak:
        state.streak = [key, 0]
    first, before = state.streak
    first_day = dt.date.fromordinal(first // 2)
    days = ctx.calendar.school_days_between(first_day, mark.date)
    full_days = (2 * days - first % 2 - (0 if mark.pm else 1)) // 2
    state.streak[1] = max(before, full_days)
    rules: tuple[ContinuousAbsenceRule, ...] = (
        ctx.rules.ten_day_absence,
        ctx.rules.missing_education,
    )
    return [
        Trigger(
            rule,
            tuple(state.unauthorised_ids),
            f"Unauthorised absence for {rule.school_days} continuous school days.",
        )
        for rule in rules
        if before < rule.school_days <= full_days
    ]


def _rolling(
    ctx: EventContext, state: ChildState, mark: AttendanceMark, counting: CodeCounting
) -> list[Trigger]:
    """Unauthorised sessions in a rolling window of school days; also illness days."""
    triggers = []
    illness = ctx.rules.illness
    if counting.illness and state.year_counts[2] == 2 * illness.school_days:
        summary = f"Illness absence has reached {illness.school_days} school days this year."
        triggers.append(Trigger(illness, tuple(state.absence_ids), summary))
    rule = ctx.rules.unauthorised_sessions
    start = ctx.calendar.window_start(mark.date, rule.window_school_days)
    oldest = session_key(start.toordinal(), pm=False)
    key = session_key(mark.date.toordinal(), pm=mark.pm)
    kept = {k for k in state.unauthorised if k >= oldest}
    if counting.unauthorised and key >= oldest:
        kept.add(key)
    else:
        kept.discard(key)  # a correction to another code takes the session out
    state.unauthorised = sorted(kept)
    if counting.unauthorised and len(kept) >= rule.sessions:
        summary = (
            f"{len(kept)} unauthorised absence sessions within "
            f"{rule.window_school_days} school days."
        )
        triggers.append(Trigger(rule, tuple(state.unauthorised_ids), summary))
    return triggers


def _plans(
    ctx: EventContext, state: ChildState, mark: AttendanceMark, replaced: str | None
) -> list[Trigger]:
    """Absence of a looked-after child; unexplained absence of a child on a plan.

    `replaced` is the code an earlier mark for the same session had: the same
    unexplained session is counted once, and one corrected to an explained
    code is taken back.
    """
    triggers = []
    looked_after = ctx.rules.looked_after_absence
    counting = ctx.codes(mark.code)
    if counting.counts_as_absence and any(p in state.plans for p in looked_after.plans):
        summary = "Absence of a looked-after child."
        triggers.append(Trigger(looked_after, (ctx.envelope.event_id,), summary))
    rule = ctx.rules.plan_absence
    was_unexplained = replaced is not None and replaced in rule.codes
    if mark.code not in rule.codes:
        if was_unexplained and state.plan_unexplained > 0:
            state.plan_unexplained -= 1
        return triggers
    if not was_unexplained and any(p in state.plans for p in rule.plans):
        state.plan_unexplained += 1
        needed = state.plan_alert_sessions or rule.default_sessions
        if state.plan_unexplained >= needed:
            state.plan_unexplained = 0
            summary = f"Unexplained absence ({needed} session(s)) of a child on a plan."
            triggers.append(Trigger(rule, tuple(state.absence_ids[-needed:]), summary))
    return triggers
