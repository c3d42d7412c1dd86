"""Fixtures for the thresholds domain: the example calendar, default rules, a code table,
an event factory and a child driven through `apply_event`."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.thresholds.domain.alerts import AlertDraft
from services.thresholds.domain.calendar import SchoolCalendar, load_calendar
from services.thresholds.domain.evaluate import apply_event
from services.thresholds.domain.register_codes import CodeTable, SessionCounting
from services.thresholds.domain.rules import RuleSet, load_rules
from services.thresholds.domain.state import ChildState

LONDON = ZoneInfo("Europe/London")
SCHOOL = "school-100001"
CHILD = "c" * 64

_PRESENT = SessionCounting(counts_as_possible_session=True, counts_as_absence=False)
_AUTHORISED = SessionCounting(counts_as_possible_session=True, counts_as_absence=True)
_UNAUTHORISED = SessionCounting(
    counts_as_possible_session=True, counts_as_absence=True, unauthorised=True
)
_NOT_COUNTED = SessionCounting(counts_as_possible_session=False, counts_as_absence=False)

# A hand-written subset of the 2024 register codes (DOMAIN.md), enough for the rules.
CODES = CodeTable(
    {
        "/": _PRESENT,
        "\\": _PRESENT,
        "L": _PRESENT,
        "K": _PRESENT,
        "C": _AUTHORISED,
        "M": _AUTHORISED,
        "E": _AUTHORISED,
        "I": SessionCounting(counts_as_possible_session=True, counts_as_absence=True, illness=True),
        "G": _UNAUTHORISED,
        "N": _UNAUTHORISED,
        "O": _UNAUTHORISED,
        "U": _UNAUTHORISED,
        "D": _NOT_COUNTED,
        "Y1": _NOT_COUNTED,
        "Z": _NOT_COUNTED,
        "#": _NOT_COUNTED,
    }
)


class EventFactory:
    """Builds envelope-complete event dicts with sequential ids."""

    def __init__(self) -> None:
        self.count = 0

    def make(
        self, event_type: str, at: dt.datetime, agency: str = SCHOOL, **fields: Any
    ) -> dict[str, Any]:
        self.count += 1
        return {
            "event_id": f"00000000-0000-4000-8000-{self.count:012d}",
            "event_type": event_type,
            "occurred_at": at,
            "recorded_at": at,
            "source": {"agency": agency, "system": "test", "practitioner_role": None},
            "child_ref": CHILD,
            "correlation_id": None,
            **fields,
        }

    def mark(
        self, day: dt.date, code: str, session: str = "AM", school: str = SCHOOL
    ) -> dict[str, Any]:
        hour = 9 if session == "AM" else 13
        at = dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)
        return self.make(
            "AttendanceMarked",
            at,
            school,
            session_date=day,
            session=session,
            register_code=code,
            school=school,
        )

    def on(self, day: dt.date, event_type: str, agency: str = SCHOOL, **fields: Any) -> dict:
        at = dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)
        return self.make(event_type, at, agency, **fields)


class Child:
    """One child's state, driven event by event; keeps every alert raised."""

    def __init__(self, rules: RuleSet, calendar: SchoolCalendar) -> None:
        self.rules = rules
        self.calendar = calendar
        self.events = EventFactory()
        self.state = ChildState()
        self.alerts: list[AlertDraft] = []

    def apply(self, event: dict[str, Any]) -> list[AlertDraft]:
        self.state, raised = apply_event(self.state, event, self.rules, self.calendar, CODES)
        self.alerts.extend(raised)
        return raised

    def day(self, day: dt.date, am: str, pm: str | None = None) -> list[AlertDraft]:
        raised = self.apply(self.events.mark(day, am, "AM"))
        return raised + self.apply(self.events.mark(day, pm or am, "PM"))

    def days(self, start: dt.date, count: int, code: str) -> list[AlertDraft]:
        raised = []
        day = (
            start if self.calendar.is_school_day(start) else self.calendar.add_school_days(start, 1)
        )
        for _ in range(count):
            raised += self.day(day, code)
            day = self.calendar.add_school_days(day, 1)
        return raised

    def on(self, day: dt.date, event_type: str, agency: str = SCHOOL, **fields: Any):
        return self.apply(self.events.on(day, event_type, agency, **fields))

    def rule_ids(self, alerts: list[AlertDraft] | None = None) -> list[str]:
        return [a.rule_id for a in (self.alerts if alerts is None else alerts)]


@pytest.fixture(scope="session")
def calendar() -> SchoolCalendar:
    return load_calendar()


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="session")
def codes() -> CodeTable:
    return CODES


@pytest.fixture
def child(rules: RuleSet, calendar: SchoolCalendar) -> Child:
    return Child(rules, calendar)
