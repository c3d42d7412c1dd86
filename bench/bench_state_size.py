"""Bytes of stored thresholds state per child after a term of attendance.

Run: .venv/bin/python bench/bench_state_size.py

Drives `apply_event` over the autumn term of the example 2026-27 calendar for a
typical child (about 5% absence) and a worst-case one (every session
unauthorised, child-protection plan and looked after, concerns from every
agency, repeated missing episodes, suspensions), then prints the length of the
compact JSON of `ChildState.to_dict()` - what a Faust table would hold.
"""

import datetime as dt
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from figures import report_figures

from services.thresholds.domain.calendar import SchoolCalendar, load_calendar
from services.thresholds.domain.evaluate import apply_event
from services.thresholds.domain.register_codes import CodeTable, SessionCounting
from services.thresholds.domain.rules import load_rules
from services.thresholds.domain.state import ChildState

LONDON = ZoneInfo("Europe/London")
SCHOOL = "school-100001"
AGENCIES = ("school-100001", "la-social-care", "police-west", "health-trust", "la-education")
# A hand-written subset of the 2024 register codes: enough for this run.
CODES = CodeTable(
    {
        "/": SessionCounting(counts_as_possible_session=True, counts_as_absence=False),
        "M": SessionCounting(counts_as_possible_session=True, counts_as_absence=True),
        "I": SessionCounting(counts_as_possible_session=True, counts_as_absence=True, illness=True),
        "N": SessionCounting(
            counts_as_possible_session=True, counts_as_absence=True, unauthorised=True
        ),
    }
)


class Events:
    def __init__(self) -> None:
        self.count = 0

    def make(self, event_type, day, agency=SCHOOL, hour=12, **fields):
        self.count += 1
        at = dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)
        return {
            "event_id": f"6f1c2a3e-0000-4000-8000-{self.count:012d}",
            "event_type": event_type,
            "occurred_at": at,
            "recorded_at": at,
            "source": {"agency": agency, "system": "bench", "practitioner_role": None},
            "child_ref": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "correlation_id": None,
            **fields,
        }

    def mark(self, day, session, code):
        hour = 9 if session == "AM" else 13
        return self.make(
            "AttendanceMarked",
            day,
            hour=hour,
            session_date=day,
            session=session,
            register_code=code,
            school=SCHOOL,
        )


def autumn_days(calendar: SchoolCalendar) -> Iterator[dt.date]:
    day, end = dt.date(2026, 9, 1), dt.date(2026, 12, 18)
    while day <= end:
        if calendar.is_school_day(day):
            yield day
        day += dt.timedelta(days=1)


def typical(calendar: SchoolCalendar, events: Events) -> Iterator[dict]:
    yield events.make("PupilJoinedRoll", dt.date(2026, 9, 1), school=SCHOOL)
    for index, day in enumerate(autumn_days(calendar)):
        for session in ("AM", "PM"):
            code = "/"
            if index in {10, 11, 40, 41}:
                code = "I"
            elif index in {25, 60} and session == "AM":
                code = "N"
            elif index == 50 and session == "PM":
                code = "M"
            yield events.mark(day, session, code)


def worst_case(calendar: SchoolCalendar, events: Events) -> Iterator[dict]:
    start = dt.date(2026, 9, 1)
    yield events.make("ChildProtectionPlanStarted", start, "la-social-care")
    yield events.make("LookedAfterEpisodeStarted", start, "la-social-care")
    for index, day in enumerate(autumn_days(calendar)):
        for session in ("AM", "PM"):
            yield events.mark(day, session, "N")
        if index % 7 == 0:
            yield events.make("MissingEpisodeStarted", day, "la-social-care")
        if index % 5 == 0:
            agency = AGENCIES[index // 5 % len(AGENCIES)]
            yield events.make("ConcernRaised", day, agency, category="neglect")
        if index % 20 == 0:
            yield events.make(
                "SuspensionIssued", day, start_date=day, length_sessions=6, school=SCHOOL
            )


def state_bytes(calendar, rules, events) -> tuple[int, int, int]:
    state, alerts, count = ChildState(), 0, 0
    for event in events:
        state, raised = apply_event(state, event, rules, calendar, CODES)
        alerts += len(raised)
        count += 1
    stored = json.dumps(state.to_dict(), separators=(",", ":"))
    return len(stored.encode()), count, alerts


def main() -> None:
    calendar, rules = load_calendar(), load_rules()
    figures = {}
    for name, scenario in (("typical", typical), ("worst-case", worst_case)):
        size, count, alerts = state_bytes(calendar, rules, scenario(calendar, Events()))
        print(f"{name:>10}: {size:5d} bytes of state after {count} events ({alerts} alerts)")
        figures[name] = {"state_bytes": size, "events": count, "alerts": alerts}
    report_figures("bench_state_size", figures)


if __name__ == "__main__":
    main()
