"""What a rule check sees (the event in context) and what it reports (a trigger)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.thresholds.domain.calendar import SchoolCalendar
from services.thresholds.domain.event_fields import Envelope, Event
from services.thresholds.domain.register_codes import RegisterCodes
from services.thresholds.domain.rules import Rule, RuleSet


@dataclass(frozen=True, slots=True)
class EventContext:
    """One event with what the checks need to judge it.

    `day` is the event's date in event time: the register date for a mark,
    else the local date of `occurred_at`.
    """

    event: Event
    envelope: Envelope
    rules: RuleSet
    calendar: SchoolCalendar
    codes: RegisterCodes
    day: dt.date


@dataclass(frozen=True, slots=True)
class Trigger:
    """A rule whose condition an event met; becomes an alert unless cooling down.

    `due_from` is when the deadline runs from (default: the event's occurred_at);
    `school` the school the event names, if any (else the child's school on roll).
    """

    rule: Rule
    evidence: tuple[str, ...]
    summary: str
    involved: tuple[str, ...] = ()
    due_from: dt.datetime | None = None
    school: str | None = None
