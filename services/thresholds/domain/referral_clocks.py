"""A referral's clocks: what is awaited, by when, and the alert when it is not there in time.

Each referral a child's state holds (`ChildState.referrals`, keyed by the
referral's id, its correlation_id) keeps its open clocks as
`[due, step, settled, evidence]`: the deadline (epoch seconds), the step
reached (0 = first alert, 1 = its escalation; for a disagreement the stage it
sits at), when the awaited event came (null until it does) and the id of the
event that started the clock. When a clock is due is decided by the escalation
rules of escalation.py - a clock is an open alert nobody has been shown yet:
settled by its deadline it is gone; past it, it fires, even when the awaited
event came late (the missed deadline is what it reports, so a replay raises
what a live worker raised). A disagreement's resolution ends its clock.

`fire_referral_clocks` runs on the wall clock (the worker's tick), never on
event time; `referral_due` says when a child's next clock can fire, for the
changelog's due header (services/bus/child_store.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from schemas.severity import Severity, escalated
from services.thresholds.domain.alerts import AlertDraft, Recipient
from services.thresholds.domain.calendar import SchoolCalendar
from services.thresholds.domain.escalation import OpenAlert, escalation_due, next_escalation
from services.thresholds.domain.rules import RecipientSpec, ReferralClockRule, RuleSet
from services.thresholds.domain.state import ChildState

DECISION: Final = "decision"
FEEDBACK: Final = "feedback"
ASSESSMENT: Final = "assessment"
DISAGREEMENT: Final = "disagreement"
Clock = list[Any]
Entry = dict[str, Any]


def epoch(moment: dt.datetime) -> int:
    """An aware moment as whole epoch seconds (what the state keeps)."""
    return int(moment.timestamp())


def moment_of(seconds: int) -> dt.datetime:
    """Epoch seconds back as an aware UTC datetime."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def arm(entry: Entry, name: str, due: dt.datetime, step: int, evidence: str) -> None:
    """Start (or restart) the clock `name` of a referral: due at `due`, at `step`."""
    entry.setdefault("clocks", {})[name] = [epoch(due), step, None, evidence]


def settle(entry: Entry, name: str, at: dt.datetime) -> None:
    """What the clock awaits came at `at`: in time, the clock ends; late, it still fires once."""
    clock = entry.get("clocks", {}).get(name)
    if clock is None or clock[2] is not None:
        return
    if epoch(at) <= clock[0]:
        del entry["clocks"][name]
    else:
        clock[2] = epoch(at)


def drop(entry: Entry, name: str) -> None:
    """End the clock `name` without an alert."""
    entry.get("clocks", {}).pop(name, None)


def _as_alert(child_ref: str, referral: str, name: str, clock: Clock) -> OpenAlert:
    settled = clock[2]
    return OpenAlert(
        dedupe_key=f"{child_ref}:{referral}:{name}:{clock[1]}",
        rule_id=name,
        child_ref=child_ref,
        due_by=moment_of(clock[0]),
        acknowledged_at=None if settled is None else moment_of(settled),
    )


def _clocks(state: ChildState) -> Iterator[tuple[str, Entry, str, Clock]]:
    for referral in sorted(state.referrals):
        entry = state.referrals[referral]
        for name in sorted(entry.get("clocks", {})):
            yield referral, entry, name, entry["clocks"][name]


def referral_due(state: ChildState) -> dt.datetime | None:
    """When the child's next referral clock can fire (None: no clock open)."""
    return next_escalation(_as_alert("", r, n, c) for r, _, n, c in _clocks(state))


@dataclass(frozen=True, slots=True)
class _Firing:
    """What one clock says when it fires, and where it goes next (None: it ends)."""

    rule_id: str
    severity: Severity
    specs: tuple[RecipientSpec, ...]
    summary: str
    next_due: dt.datetime | None = None


def fire_referral_clocks(
    state: ChildState,
    child_ref: str,
    now: dt.datetime,
    rules: RuleSet,
    calendar: SchoolCalendar,
) -> list[AlertDraft]:
    """The alerts of every referral clock due at `now`; the clocks move on or end (in place)."""
    drafts: list[AlertDraft] = []
    for referral, entry, name, _ in list(_clocks(state)):
        while (clock := entry.get("clocks", {}).get(name)) is not None and escalation_due(
            _as_alert(child_ref, referral, name, clock), now
        ):
            firing = _firing(name, clock, rules, calendar)
            if firing is None:
                drop(entry, name)
                break
            drafts.append(
                AlertDraft(
                    rule_id=firing.rule_id,
                    severity=firing.severity,
                    child_ref=child_ref,
                    raised_at=moment_of(clock[0]),
                    evidence_event_ids=(str(clock[3]),),
                    recipients=recipients(firing.specs, entry, state),
                    summary=firing.summary,
                    dedupe_key=f"{firing.rule_id}:{child_ref}:{referral}:{name}:{clock[1]}",
                    due_by=firing.next_due,
                )
            )
            if firing.next_due is None:
                drop(entry, name)
            else:
                clock[0], clock[1] = epoch(firing.next_due), clock[1] + 1
    return drafts


def _when(seconds: int, calendar: SchoolCalendar) -> str:
    return f"{moment_of(seconds).astimezone(calendar.timezone):%a %d %b %H:%M}"


def _firing(name: str, clock: Clock, rules: RuleSet, calendar: SchoolCalendar) -> _Firing | None:
    if name == DISAGREEMENT:
        return _stage_firing(clock, rules, calendar)
    rule = {DECISION: rules.referral_decision, FEEDBACK: rules.referral_feedback}.get(
        name, rules.assessment
    )
    if not rule.enabled:
        return None
    due = _when(clock[0], calendar)
    if clock[1] > 0:
        return _Firing(
            f"{rule.id}.escalated",
            escalated(rule.severity),
            rule.escalate_to,
            f"{_ESCALATED[name]} {rule.working_days} + {rule.escalate_after_working_days} "
            "working days on: escalated.",
        )
    late = clock[2] is not None
    text = (_LATE if late else _MISSED)[name].format(n=rule.working_days, due=due)
    return _Firing(
        rule.id, rule.severity, rule.recipients, text, _escalation_due(rule, clock, calendar)
    )


def _escalation_due(
    rule: ReferralClockRule, clock: Clock, calendar: SchoolCalendar
) -> dt.datetime | None:
    if not rule.escalate_after_working_days or clock[2] is not None:
        return None
    return calendar.add_working_days(moment_of(clock[0]), rule.escalate_after_working_days)


def _stage_firing(clock: Clock, rules: RuleSet, calendar: SchoolCalendar) -> _Firing | None:
    rule = rules.disagreement
    stages = rule.stages
    stage = int(clock[1])
    if not rule.enabled or not 1 <= stage <= len(stages):
        return None
    held = stages[stage - 1]
    where = f"stage {stage} ({held.name}) within {held.working_days} working day(s)"
    if stage == len(stages):
        text = f"Professional disagreement not resolved at {where}, the last stage: partnership."
        return _Firing(rule.id, escalated(rule.severity), rule.recipients, text)
    following = stages[stage]
    text = (
        f"Professional disagreement not resolved at {where}: "
        f"now for stage {stage + 1} ({following.name})."
    )
    due = calendar.add_working_days(moment_of(clock[0]), following.working_days)
    return _Firing(rule.id, rule.severity, following.recipients, text, due)


_MISSED: Final[Mapping[str, str]] = {
    DECISION: "No decision recorded on a referral within {n} working day(s) (due {due}).",
    FEEDBACK: "The referrer has not been given the decision within {n} working day(s) of it "
    "(due {due}).",
    ASSESSMENT: "Assessment not completed within {n} working days of the referral (due {due}).",
}
_LATE: Final[Mapping[str, str]] = {
    DECISION: "A referral's decision was recorded after its deadline of {n} working day(s) "
    "(due {due}).",
    FEEDBACK: "The referrer was given the decision after {n} working day(s) (due {due}).",
    ASSESSMENT: "An assessment was completed after its {n} working days (due {due}).",
}
_ESCALATED: Final[Mapping[str, str]] = {
    DECISION: "Still no decision on a referral",
    ASSESSMENT: "Assessment still not completed",
    FEEDBACK: "The referrer still has no decision",
}


def recipients(
    specs: tuple[RecipientSpec, ...], entry: Entry, state: ChildState
) -> tuple[Recipient, ...]:
    """The role and agency of each spec, for this referral (relations: its agencies)."""
    found: dict[Recipient, None] = {}
    for spec in specs:
        for agency in _agencies(spec, entry, state):
            found[Recipient(spec.role, agency)] = None
    return tuple(found)


def _agencies(spec: RecipientSpec, entry: Entry, state: ChildState) -> list[str]:
    if spec.agency_id is not None:
        return [spec.agency_id]
    related: dict[str, list[str | None]] = {
        "referrer": [entry.get("by")],
        "referred-to": [entry.get("to")],
        "school": [state.school],
        "plan-holder": list(state.plans.values()),
    }
    found = [agency for agency in related.get(spec.relation or "", []) if agency]
    if not found and spec.fallback_agency_id:
        return [spec.fallback_agency_id]
    return list(dict.fromkeys(found))
