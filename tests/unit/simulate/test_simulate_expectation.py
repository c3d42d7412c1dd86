"""The expectation runs the thresholds domain over the published events."""

import datetime as dt

from services.simulate.events import SimEvent
from services.simulate.expectation import ESCALATED, Expectation, ExpectedAlert
from services.thresholds.adapters.register_codes import register_codes
from services.thresholds.domain.rules import load_rules

MONDAY = dt.date(2026, 9, 7)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _expectation(calendar) -> Expectation:
    return Expectation(load_rules(), calendar, register_codes())


def _mark(pupil: int, code: str, n: int) -> SimEvent:
    fields = {
        "school": "school-900001",
        "session_date": MONDAY,
        "session": "AM",
        "register_code": code,
        "minutes_late": None,
    }
    event = SimEvent(_at(MONDAY, 9), "school-900001", "school", pupil, "AttendanceMarked", fields)
    event.event_id = f"00000000-0000-4000-8000-{n:012d}"
    return event


def _looked_after(pupil: int) -> SimEvent:
    fields = {"start_date": dt.date(2026, 1, 5), "legal_status": "C2"}
    event = SimEvent(
        _at(MONDAY, 7), "la-social-care", "social-care", pupil, "LookedAfterEpisodeStarted", fields
    )
    event.event_id = "00000000-0000-4000-8000-000000000099"
    return event


class TestExpectation:
    def test_a_looked_after_childs_absence_is_expected_to_alert(self, calendar):
        """The rules say: any absence of a looked-after child goes to social worker and VSH."""
        expectation = _expectation(calendar)
        assert expectation.apply(_looked_after(4)) == []
        (alert,) = expectation.apply(_mark(4, "O", 1))
        assert alert.rule_id == "attendance.looked-after-absence"
        assert alert.pupil == 4
        assert alert.evidence == ("00000000-0000-4000-8000-000000000001",)
        assert alert.recipients == ("la-social-care", "virtual-school")

    def test_pupils_are_kept_apart(self, calendar):
        """One pupil's plan does not make another's absence alert."""
        expectation = _expectation(calendar)
        expectation.apply(_looked_after(4))
        assert expectation.apply(_mark(5, "O", 2)) == []

    def test_an_event_the_rules_cannot_process_changes_nothing(self, calendar):
        """A mark dated outside the calendar is counted as unprocessable, as the worker would
        dead-letter it."""
        expectation = _expectation(calendar)
        event = _mark(4, "O", 3)
        event.fields["session_date"] = dt.date(2030, 1, 7)
        assert expectation.apply(event) == []
        assert expectation.unprocessable == 1


class TestEscalation:
    def test_a_deadline_passed_unacknowledged_expects_an_escalation(self):
        """Past its due time, an alert with escalation recipients is escalated once."""
        alert = ExpectedAlert(1, "r", ("e",), ("school-1",), _at(MONDAY, 8), ("la-education",))
        escalation = alert.escalation(_at(MONDAY, 9))
        assert escalation == ExpectedAlert(1, "r" + ESCALATED, ("e",), ("la-education",))
        assert alert.escalation(_at(MONDAY, 7)) is None

    def test_no_escalation_without_recipients_or_deadline(self):
        """An alert without a deadline or without escalation recipients never escalates."""
        later = _at(MONDAY, 9)
        assert ExpectedAlert(1, "r", ("e",), ("a",), None, ("b",)).escalation(later) is None
        assert ExpectedAlert(1, "r", ("e",), ("a",), _at(MONDAY, 8)).escalation(later) is None
