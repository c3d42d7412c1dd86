"""The router's child state follows the facts the table of event types names."""

from consent.domain.child import ChildState
from services.router.domain.child_state import states_for

CHILD = "c" * 64


def _event(event_type, **fields):
    return {"event_type": event_type, "child_ref": CHILD, **fields}


class TestFactsFromTheTable:
    def test_looked_after_starts_with_its_event_and_ends_after_its_end(self):
        """A looked-after episode counts for its start event and still for its end event."""
        state = ChildState(child_ref=CHILD)
        deciding, started = states_for(state, _event("LookedAfterEpisodeStarted"))
        still, ended = states_for(started, _event("LookedAfterEpisodeEnded"))
        assert deciding.looked_after
        assert still.looked_after
        assert not ended.looked_after

    def test_lead_professional_is_the_agency_the_event_names(self):
        """LeadProfessionalAssigned records the agency in its `agency` field."""
        state = ChildState(child_ref=CHILD)
        deciding, after = states_for(state, _event("LeadProfessionalAssigned", agency="la-eh"))
        assert deciding.lead_professional == "la-eh"
        assert after.lead_professional == "la-eh"

    def test_child_in_need_plan_leaves_other_plans_alone(self):
        """Ending a CIN plan keeps an open CP plan."""
        state = ChildState(child_ref=CHILD, active_plans=frozenset({"cp", "cin"}))
        _, after = states_for(state, _event("ChildInNeedPlanEnded"))
        assert after.active_plans == {"cp"}

    def test_events_that_change_no_fact_keep_the_state(self):
        """A register mark or an unread event type changes nothing the conditions read."""
        state = ChildState(child_ref=CHILD, on_roll_at=frozenset({"school-1"}))
        for event_type in ("AttendanceMarked", "ConcernRaised", "AlertRaised"):
            assert states_for(state, _event(event_type, school="school-2")) == (state, state)
