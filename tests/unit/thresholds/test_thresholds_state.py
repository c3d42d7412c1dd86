import datetime as dt
import json

from services.thresholds.domain.calendar import SchoolCalendar
from services.thresholds.domain.evaluate import apply_event
from services.thresholds.domain.state import MAX_EVIDENCE_IDS, ChildState, session_key

D = dt.date


class TestChildState:
    def test_new_state_stores_nothing(self):
        """An empty state serialises to an empty mapping."""
        assert ChildState().to_dict() == {}

    def test_round_trip_through_json(self, child):
        """A state survives to_dict, JSON and from_dict unchanged."""
        child.on(D(2026, 9, 3), "ChildProtectionPlanStarted", "la-social-care")
        child.days(D(2026, 9, 7), 12, "N")
        child.on(D(2026, 9, 30), "ConcernRaised", "police-west", category="neglect")
        stored = json.loads(json.dumps(child.state.to_dict()))
        assert ChildState.from_dict(stored) == child.state

    def test_evidence_ids_are_bounded(self, child):
        """However many absences, only the newest ids are kept."""
        child.days(D(2026, 9, 7), 30, "N")
        assert len(child.state.absence_ids) == MAX_EVIDENCE_IDS
        assert len(child.state.unauthorised_ids) == MAX_EVIDENCE_IDS

    def test_rolling_window_is_pruned(self, child):
        """Unauthorised sessions older than the rolling window are dropped."""
        child.days(D(2026, 9, 7), 60, "N")
        assert len(child.state.unauthorised) == 100

    def test_no_event_content_is_stored(self, child):
        """A concern's category (content) never reaches the stored state."""
        child.on(D(2026, 9, 30), "ConcernRaised", "police-west", category="sexual-abuse")
        assert "sexual-abuse" not in json.dumps(child.state.to_dict())

    def test_new_academic_year_resets_the_counts(self, child, rules, codes):
        """The year and term counters start again in a new academic year."""
        two_years = SchoolCalendar.from_mapping(
            {
                "terms": [
                    {"academic_year": y, "name": "autumn", "start": s, "end": e}
                    for y, s, e in (
                        ("2026-27", "2026-09-01", "2026-12-18"),
                        ("2027-28", "2027-09-01", "2027-12-17"),
                    )
                ]
            }
        )
        state = ChildState()
        for day in (D(2026, 9, 7), D(2026, 9, 8), D(2027, 9, 6)):
            event = child.events.mark(day, "N")
            state, _ = apply_event(state, event, rules, two_years, codes)
        assert state.year == "2027-28"
        assert state.year_counts == [1, 1, 0]
        assert state.term_counts == [1, 1]

    def test_copy_shares_no_containers(self):
        """Changing a copy's lists leaves the original alone."""
        state = ChildState(unauthorised=[1])
        copied = state.copy()
        copied.unauthorised.append(2)
        assert state.unauthorised == [1]


class TestSessionKey:
    def test_am_and_pm_of_a_day_are_consecutive(self):
        """AM and PM of one day are adjacent keys; the next day's AM follows the PM."""
        day = D(2026, 9, 7).toordinal()
        assert session_key(day, pm=True) == session_key(day, pm=False) + 1
        assert session_key(day + 1, pm=False) == session_key(day, pm=True) + 1
