import datetime as dt
import json

from services.thresholds.domain.alerts import Recipient
from services.thresholds.domain.attendance_rules import CORRECTION_WINDOW_DAYS
from services.thresholds.domain.state import ChildState

D = dt.date
PERSISTENT = "attendance.persistent-absence"
SEVERE = "attendance.severe-absence"
TEN_DAY = "attendance.ten-day-unauthorised"
CME = "attendance.cme-twenty-day"
ROLLING = "attendance.unauthorised-sessions"
ILLNESS = "attendance.illness-fifteen-days"
LOOKED_AFTER = "attendance.looked-after-absence"
ON_PLAN = "attendance.unexplained-absence-on-plan"
MON_7_SEP = D(2026, 9, 7)


class TestPersistentAbsence:
    def test_exactly_ten_percent_alerts(self, child):
        """2 absences in 20 possible sessions (10%) raise persistent absence."""
        child.days(MON_7_SEP, 9, "/")
        raised = child.day(D(2026, 9, 18), "M")
        assert child.rule_ids(raised) == [PERSISTENT]
        assert "2 of 20" in raised[0].summary

    def test_just_under_ten_percent_does_not_alert(self, child):
        """2 absences in 21 possible sessions (9.5%) raise nothing."""
        child.days(MON_7_SEP, 9, "/")
        child.day(D(2026, 9, 18), "/", "M")
        child.apply(child.events.mark(D(2026, 9, 21), "M"))
        assert child.alerts == []

    def test_below_minimum_sessions_is_not_judged(self, child):
        """A first day absent (100% of 2 sessions) is too little to judge."""
        child.day(MON_7_SEP, "M")
        assert child.alerts == []

    def test_sessions_not_counted_are_left_out(self, child):
        """Dual-registration sessions are not possible sessions, so not absences either."""
        child.days(MON_7_SEP, 9, "D")
        child.day(D(2026, 9, 18), "M")
        assert child.alerts == []

    def test_recipients_are_school_and_la(self, child):
        """The alert goes to the school's attendance lead and the LA attendance officer."""
        child.days(MON_7_SEP, 9, "/")
        (alert,) = child.day(D(2026, 9, 18), "M")
        assert alert.recipients == (
            Recipient("attendance-lead", "school-100001"),
            Recipient("attendance-officer", "la-education"),
        )
        assert alert.evidence_event_ids == (
            "00000000-0000-4000-8000-000000000019",
            "00000000-0000-4000-8000-000000000020",
        )


class TestSevereAbsence:
    def test_fifty_percent_is_severe_not_persistent(self, child):
        """10 of 20 sessions absent raises severe absence only."""
        child.days(MON_7_SEP, 5, "/")
        child.days(D(2026, 9, 14), 5, "M")
        assert child.rule_ids() == [SEVERE]

    def test_severe_switched_off_leaves_persistent(self, child):
        """With the severe rule disabled, 50% absence still raises persistent absence."""
        child.rules = child.rules.model_copy(
            update={
                "severe_absence": child.rules.severe_absence.model_copy(update={"enabled": False})
            }
        )
        child.days(MON_7_SEP, 5, "/")
        child.days(D(2026, 9, 14), 5, "M")
        assert child.rule_ids() == [PERSISTENT]


class TestContinuousUnauthorisedAbsence:
    def test_tenth_school_day_alerts(self, child):
        """The PM session of the 10th continuous school day raises the ten-day return."""
        child.days(MON_7_SEP, 9, "N")
        assert TEN_DAY not in child.rule_ids()
        assert TEN_DAY not in child.rule_ids(child.apply(child.events.mark(D(2026, 9, 18), "N")))
        raised = child.apply(child.events.mark(D(2026, 9, 18), "N", "PM"))
        assert TEN_DAY in child.rule_ids(raised)

    def test_weekend_and_half_term_are_not_counted(self, child):
        """Across a weekend and half term, the 10th school day is the Friday after."""
        child.days(D(2026, 10, 19), 9, "N")
        assert TEN_DAY not in child.rule_ids()
        assert TEN_DAY in child.rule_ids(child.day(D(2026, 11, 6), "N"))

    def test_presence_ends_the_run(self, child):
        """A present session in the middle restarts the count."""
        child.days(MON_7_SEP, 5, "N")
        child.day(D(2026, 9, 14), "N", "/")
        child.days(D(2026, 9, 15), 5, "N")
        assert TEN_DAY not in child.rule_ids()

    def test_alerts_once_per_run(self, child):
        """A run going on past 10 days raises the ten-day return once."""
        child.days(MON_7_SEP, 15, "N")
        assert child.rule_ids().count(TEN_DAY) == 1

    def test_twentieth_day_raises_cme_enquiry(self, child):
        """20 continuous school days unauthorised raise the children-missing-education rule."""
        child.days(MON_7_SEP, 19, "N")
        assert CME not in child.rule_ids()
        raised = child.day(D(2026, 10, 2), "N")
        assert CME in child.rule_ids(raised)
        assert Recipient("cme-officer", "la-education") in raised[-1].recipients


class TestUnauthorisedSessions:
    def _one_session_every(self, child, gap: int, days: int) -> None:
        day = MON_7_SEP
        for index in range(days):
            child.day(day, "N" if index % gap == 0 else "/", "/")
            day = child.calendar.add_school_days(day, 1)

    def test_ten_sessions_within_ten_weeks_alert(self, child):
        """10 unauthorised sessions within 50 school days raise the penalty-notice rule."""
        self._one_session_every(child, 5, 45)
        assert ROLLING not in child.rule_ids()
        raised = child.day(D(2026, 11, 16), "N", "/")
        assert ROLLING in child.rule_ids(raised)
        assert len(child.state.unauthorised) == 10

    def test_first_session_out_of_the_window_does_not_count(self, child):
        """Sessions spread over more than 50 school days never reach 10 in the window."""
        self._one_session_every(child, 6, 55)
        assert ROLLING not in child.rule_ids()
        assert len(child.state.unauthorised) == 9


class TestIllnessAbsence:
    def test_fifteen_days_of_illness_alert(self, child):
        """The 30th illness session (15 days) raises the illness rule once."""
        child.days(MON_7_SEP, 14, "I")
        assert ILLNESS not in child.rule_ids()
        child.days(D(2026, 9, 25), 3, "I")
        assert child.rule_ids().count(ILLNESS) == 1


class TestLookedAfterAbsence:
    def test_any_absence_alerts_social_worker_and_virtual_school(self, child):
        """An authorised absence of a looked-after child goes to the social worker and VSH."""
        child.on(D(2026, 9, 4), "LookedAfterEpisodeStarted", "la-social-care")
        (alert,) = child.day(MON_7_SEP, "M")
        assert alert.rule_id == LOOKED_AFTER
        assert alert.recipients == (
            Recipient("social-worker", "la-social-care"),
            Recipient("virtual-school-head", "virtual-school"),
        )
        assert alert.due_by == dt.datetime(2026, 9, 8, 8, 30, tzinfo=alert.due_by.tzinfo)

    def test_not_looked_after_raises_nothing(self, child):
        """The same absence of a child not looked after raises nothing."""
        child.day(MON_7_SEP, "M")
        assert child.alerts == []

    def test_episode_ended_raises_nothing(self, child):
        """After the episode ends, absence is not reported under this rule."""
        child.on(D(2026, 9, 3), "LookedAfterEpisodeStarted", "la-social-care")
        child.on(D(2026, 9, 4), "LookedAfterEpisodeEnded", "la-social-care")
        child.day(MON_7_SEP, "M")
        assert child.alerts == []


class TestUnexplainedAbsenceOnPlan:
    def test_first_unexplained_session_alerts(self, child):
        """Code N for a child on a child-protection plan alerts on the first session."""
        child.on(D(2026, 9, 4), "ChildProtectionPlanStarted", "la-social-care")
        raised = child.apply(child.events.mark(MON_7_SEP, "N"))
        assert child.rule_ids(raised) == [ON_PLAN]
        assert raised[0].recipients == (
            Recipient("social-worker", "la-social-care"),
            Recipient("designated-safeguarding-lead", "school-100001"),
        )

    def test_plan_sets_its_own_number_of_sessions(self, child):
        """A plan asking for 3 sessions alerts on the 3rd unexplained session, not the 2nd."""
        child.on(
            D(2026, 9, 4),
            "ChildInNeedPlanStarted",
            "la-social-care",
            unexplained_absence_alert_sessions=3,
        )
        child.day(MON_7_SEP, "N", "/")
        child.day(D(2026, 9, 8), "N", "/")
        assert ON_PLAN not in child.rule_ids()
        assert ON_PLAN in child.rule_ids(child.day(D(2026, 9, 9), "N", "/"))

    def test_authorised_absence_is_explained(self, child):
        """An authorised absence is not an unexplained one."""
        child.on(D(2026, 9, 4), "ChildProtectionPlanStarted", "la-social-care")
        child.day(MON_7_SEP, "M")
        assert child.alerts == []


class TestCorrectedMarks:
    """A session has one mark: a later mark for it replaces the earlier one in every count."""

    def test_the_same_mark_sent_again_is_counted_once(self, child):
        """18 present + 1 absent, the absence sent twice: 1 of 19 (5%), not 2 of 20 (10%)."""
        child.days(MON_7_SEP, 9, "/")
        child.apply(child.events.mark(D(2026, 9, 18), "M"))
        child.apply(child.events.mark(D(2026, 9, 18), "M"))  # another id, same session
        assert child.alerts == []
        assert child.state.year_counts[:2] == [19, 1]
        assert child.state.term_counts == [19, 1]

    def test_an_absence_corrected_to_present_leaves_the_absence_count(self, child):
        """Absent 2 of 20 would alert; corrected to present, the rate is 1 of 20."""
        child.days(MON_7_SEP, 9, "/")
        child.apply(child.events.mark(D(2026, 9, 18), "M", "AM"))
        child.apply(child.events.mark(D(2026, 9, 18), "/", "AM"))  # the office corrects it
        raised = child.apply(child.events.mark(D(2026, 9, 18), "M", "PM"))
        assert raised == []
        assert child.state.year_counts[:2] == [20, 1]

    def test_an_illness_corrected_away_is_taken_out_of_the_illness_count(self, child):
        """Illness corrected to present no longer counts toward the fifteen illness days."""
        child.apply(child.events.mark(MON_7_SEP, "I"))
        child.apply(child.events.mark(MON_7_SEP, "/"))
        assert child.state.year_counts == [1, 0, 0]

    def test_an_unauthorised_session_corrected_leaves_the_rolling_window(self, child):
        """A session corrected from N to an authorised code is no longer unauthorised."""
        child.apply(child.events.mark(MON_7_SEP, "N"))
        child.apply(child.events.mark(MON_7_SEP, "C"))
        assert child.state.unauthorised == []

    def test_an_unexplained_session_on_a_plan_sent_twice_counts_once(self, child):
        """With 2 sessions asked for, one N sent twice is still one unexplained session."""
        child.on(
            D(2026, 9, 4),
            "ChildInNeedPlanStarted",
            "la-social-care",
            unexplained_absence_alert_sessions=2,
        )
        child.apply(child.events.mark(MON_7_SEP, "N"))
        child.apply(child.events.mark(MON_7_SEP, "N"))
        assert ON_PLAN not in child.rule_ids()
        child.apply(child.events.mark(MON_7_SEP, "C"))  # explained after all
        assert child.state.plan_unexplained == 0

    def test_the_marks_survive_the_changelog(self, child):
        """The session marks round-trip through the stored JSON, so a restart keeps them."""
        child.apply(child.events.mark(MON_7_SEP, "N"))
        stored = json.loads(json.dumps(child.state.to_dict()))
        assert ChildState.from_dict(stored) == child.state
        assert stored["marks"] == {str(2 * MON_7_SEP.toordinal()): "N"}

    def test_only_recent_marks_are_kept(self, child):
        """Marks older than the correction window are forgotten: the state stays small."""
        child.days(MON_7_SEP, 40, "/")
        newest = max(int(key) for key in child.state.marks)
        assert min(int(key) for key in child.state.marks) >= newest - 2 * CORRECTION_WINDOW_DAYS
        assert len(child.state.marks) <= 2 * CORRECTION_WINDOW_DAYS + 2
        assert child.state.year_counts[:2] == [80, 0]
