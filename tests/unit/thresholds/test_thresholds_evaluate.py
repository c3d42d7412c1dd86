import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml

from services.config.files import packaged_default
from services.thresholds.domain.evaluate import apply_event
from services.thresholds.domain.exceptions import EventFieldError, UnknownRegisterCodeError
from services.thresholds.domain.rules import DEFAULT_RULES, rule_set_from_mappings
from services.thresholds.domain.state import ChildState

D = dt.date
LONDON = ZoneInfo("Europe/London")
LOOKED_AFTER = "attendance.looked-after-absence"
PERSISTENT = "attendance.persistent-absence"


class TestApplyEvent:
    def test_input_state_is_not_changed(self, child, codes):
        """apply_event returns a new state and leaves the one it was given alone."""
        child.days(D(2026, 9, 7), 3, "N")
        before = child.state.to_dict()
        new, _ = apply_event(
            child.state, child.events.mark(D(2026, 9, 10), "N"), child.rules, child.calendar, codes
        )
        assert child.state.to_dict() == before
        assert new.to_dict() != before

    def test_same_event_gives_same_dedupe_key(self, child, codes):
        """Re-processing an event after a crash drafts the same alert key."""
        child.on(D(2026, 9, 4), "LookedAfterEpisodeStarted", "la-social-care")
        event = child.events.mark(D(2026, 9, 7), "M")
        _, first = apply_event(child.state, event, child.rules, child.calendar, codes)
        _, again = apply_event(child.state, event, child.rules, child.calendar, codes)
        assert first[0].dedupe_key == again[0].dedupe_key
        assert first[0].dedupe_key.endswith(event["event_id"])

    def test_unknown_register_code_is_an_error(self, child):
        """A code the table does not know is raised, not silently counted."""
        with pytest.raises(UnknownRegisterCodeError):
            child.apply(child.events.mark(D(2026, 9, 7), "??"))

    def test_naive_occurred_at_is_an_error(self, child):
        """An event without an aware occurred_at is refused."""
        event = child.events.mark(D(2026, 9, 7), "/")
        event["occurred_at"] = dt.datetime(2026, 9, 7, 9)  # noqa: DTZ001
        with pytest.raises(EventFieldError, match="aware"):
            child.apply(event)

    def test_event_type_without_rules_changes_nothing(self, child):
        """An event no rule reads leaves the state as it was and raises nothing."""
        assert child.on(D(2026, 9, 7), "LeadProfessionalAssigned", "la-social-care") == []
        assert child.state.to_dict() == {}

    def test_disabled_rule_raises_nothing(self, calendar, codes):
        """A rule switched off in the override never alerts."""
        rules = _with_override({"rules": {LOOKED_AFTER: {"enabled": False}}})
        state, _ = apply_event(ChildState(), _lac_start(), rules, calendar, codes)
        _, raised = apply_event(state, _mark(D(2026, 9, 7), "M"), rules, calendar, codes)
        assert raised == []


class TestCoolDown:
    def test_same_rule_within_cool_down_is_suppressed(self, child):
        """A looked-after child's PM absence the same day raises nothing new."""
        child.on(D(2026, 9, 4), "LookedAfterEpisodeStarted", "la-social-care")
        child.day(D(2026, 9, 7), "M")
        assert child.rule_ids() == [LOOKED_AFTER]

    def test_cool_down_ends_in_event_time(self, child):
        """The next school day's absence raises again: the cool-down runs on event dates."""
        child.on(D(2026, 9, 4), "LookedAfterEpisodeStarted", "la-social-care")
        child.day(D(2026, 9, 7), "M")
        child.day(D(2026, 9, 8), "M")
        assert child.rule_ids() == [LOOKED_AFTER, LOOKED_AFTER]

    def test_persistent_absence_repeats_only_after_28_days(self, child):
        """Persistent absence is raised once, then again only after its 28-day cool-down."""
        child.days(D(2026, 9, 7), 9, "/")
        child.day(D(2026, 9, 18), "M")
        day = D(2026, 9, 21)
        while day < D(2026, 10, 16):
            child.day(day, "/", "M")
            day = child.calendar.add_school_days(day, 1)
        assert child.rule_ids() == [PERSISTENT]
        assert child.rule_ids(child.day(D(2026, 10, 16), "/", "M")) == [PERSISTENT]

    def test_expired_cool_downs_are_forgotten(self, child):
        """Once a cool-down has run out, the state no longer keeps the date."""
        child.on(D(2026, 9, 4), "LookedAfterEpisodeStarted", "la-social-care")
        child.day(D(2026, 9, 7), "M")
        assert LOOKED_AFTER in child.state.last_raised
        child.day(D(2026, 9, 8), "/")
        assert LOOKED_AFTER not in child.state.last_raised


def _with_override(override):
    text = packaged_default(DEFAULT_RULES).read_text(encoding="utf-8")
    return rule_set_from_mappings(yaml.safe_load(text), override)


def _lac_start():
    at = dt.datetime(2026, 9, 4, 12, tzinfo=LONDON)
    return _event("LookedAfterEpisodeStarted", at, "la-social-care")


def _mark(day, code):
    at = dt.datetime.combine(day, dt.time(9), tzinfo=LONDON)
    return _event(
        "AttendanceMarked",
        at,
        "school-100001",
        session_date=day,
        session="AM",
        register_code=code,
        school="school-100001",
    )


def _event(event_type, at, agency, **fields):
    return {
        "event_id": f"id-{event_type}-{at.isoformat()}",
        "event_type": event_type,
        "occurred_at": at,
        "recorded_at": at,
        "source": {"agency": agency, "system": "test", "practitioner_role": None},
        "child_ref": "c" * 64,
        "correlation_id": None,
        **fields,
    }
