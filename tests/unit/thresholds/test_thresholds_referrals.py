"""The referral loop's clocks: decision, feedback, assessment and disagreement stages."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml

from services.config.files import packaged_default
from services.thresholds.domain.alerts import Recipient
from services.thresholds.domain.exceptions import EventFieldError
from services.thresholds.domain.referral_clocks import fire_referral_clocks, referral_due
from services.thresholds.domain.referral_rules import MAX_REFERRALS
from services.thresholds.domain.rules import rule_set_from_mappings
from services.thresholds.domain.state import ChildState

LONDON = ZoneInfo("Europe/London")
SCHOOL = "school-100001"
SOCIAL = "la-social-care"
REFERRAL = "ref-2026-0001"
THURSDAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=LONDON)
FRIDAY = dt.datetime(2026, 11, 27, 10, 0, tzinfo=LONDON)
MONDAY = dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)
MINUTE = dt.timedelta(minutes=1)


def _made(child, at=THURSDAY, referral=REFERRAL):
    return child.apply(
        child.events.make(
            "ReferralMade",
            at,
            SCHOOL,
            correlation_id=referral,
            referred_to=SOCIAL,
            concern_category="neglect",
            summary="sample",
            referrer_contact=None,
        )
    )


def _decided(
    child,
    decided_at,
    *,
    recorded_at=None,
    referrer=SCHOOL,
    outcome="early_help",
    referral=REFERRAL,
):
    event = child.events.make(
        "ReferralDecided",
        decided_at,
        SOCIAL,
        correlation_id=referral,
        referrer_agency=referrer,
        outcome=outcome,
        threshold_level="level-2",
        reason_category="early-help-appropriate",
        next_steps="sample",
        contact="sample",
        decided_by_role="duty-team-manager",
        decided_at=decided_at,
        primary_need=None,
    )
    event["recorded_at"] = recorded_at or decided_at
    return child.apply(event)


def _disagreement(child, event_type, at, agency=SCHOOL, **fields):
    return child.apply(child.events.make(event_type, at, agency, correlation_id=REFERRAL, **fields))


def _fire(child, now):
    return fire_referral_clocks(child.state, "c" * 64, now, child.rules, child.calendar)


class TestWorkingDays:
    def test_a_working_day_is_a_weekday_but_a_bank_holiday(self, calendar):
        """Christmas Eve afternoon is due on the Tuesday: 25 and 28 December are bank holidays."""
        eve = dt.datetime(2026, 12, 24, 15, 0, tzinfo=LONDON)
        assert calendar.add_working_days(eve, 1) == dt.datetime(2026, 12, 29, 15, tzinfo=LONDON)

    def test_school_holidays_are_working_days(self, calendar):
        """Half term is not a school day but is a working day for social care."""
        friday = dt.datetime(2026, 10, 23, 10, 0, tzinfo=LONDON)
        assert calendar.add_working_days(friday, 1) == dt.datetime(2026, 10, 26, 10, tzinfo=LONDON)

    def test_a_clock_started_at_the_weekend_starts_on_monday_morning(self, calendar):
        """A referral on Saturday evening is due one working day after Monday 08:30."""
        saturday = dt.datetime(2026, 11, 28, 19, 0, tzinfo=LONDON)
        due = calendar.add_working_days(saturday, 1)
        assert due == dt.datetime(2026, 12, 1, 8, 30, tzinfo=LONDON)


class TestDecisionClock:
    def test_no_decision_alerts_the_duty_manager_once_then_escalates(self, child):
        """One working day without a decision: the duty manager; one more: head of service."""
        assert _made(child) == []
        assert referral_due(child.state) == FRIDAY
        assert _fire(child, FRIDAY) == []
        (overdue,) = _fire(child, FRIDAY + MINUTE)
        assert overdue.rule_id == "referrals.decision-overdue"
        assert overdue.severity == "high"
        assert overdue.recipients == (Recipient("duty-manager", SOCIAL),)
        assert overdue.due_by == MONDAY
        assert overdue.escalate_to == ()
        assert _fire(child, FRIDAY + 2 * MINUTE) == []
        (escalation,) = _fire(child, MONDAY + MINUTE)
        assert escalation.rule_id == "referrals.decision-overdue.escalated"
        assert escalation.severity == "critical"
        assert escalation.recipients == (Recipient("head-of-service", SOCIAL),)
        assert referral_due(child.state) is None

    def test_a_decision_in_time_ends_the_clock(self, child):
        """Decided within the working day and given to the referrer: nothing is due."""
        _made(child)
        _decided(child, FRIDAY - MINUTE)
        assert referral_due(child.state) is None
        assert _fire(child, MONDAY + dt.timedelta(days=30)) == []

    def test_a_late_decision_still_reports_the_missed_deadline_once(self, child):
        """A decision recorded after its deadline but before any tick: one alert, no escalation."""
        _made(child)
        _decided(child, FRIDAY + dt.timedelta(hours=2))
        (late,) = _fire(child, MONDAY + dt.timedelta(days=3))
        assert late.rule_id == "referrals.decision-overdue"
        assert "after its deadline" in late.summary
        assert late.due_by is None
        assert referral_due(child.state) is None

    def test_the_earlier_of_made_and_received_starts_the_clock(self, child):
        """Social care received it before the school's own record: the clock runs from receipt."""
        _made(child)
        received = child.events.make(
            "ReferralReceived",
            THURSDAY - dt.timedelta(hours=1),
            SOCIAL,
            correlation_id=REFERRAL,
            referral_date=THURSDAY.date(),
            referral_source="school",
            primary_need=None,
            referrer_agency=SCHOOL,
        )
        child.apply(received)
        assert referral_due(child.state) == FRIDAY - dt.timedelta(hours=1)

    def test_a_referral_event_without_its_id_is_refused(self, child):
        """The referral's id is the correlation_id: without it, the field is named."""
        with pytest.raises(EventFieldError, match="correlation_id"):
            _made(child, referral=None)


class TestFeedbackClock:
    def test_a_decision_naming_no_referrer_leaves_the_school_untold(self, child):
        """The school referred, the decision does not name it: the duty manager hears next day."""
        _made(child)
        _decided(child, THURSDAY + dt.timedelta(hours=3), referrer=None)
        due = dt.datetime(2026, 11, 27, 13, 0, tzinfo=LONDON)
        assert referral_due(child.state) == due
        (feedback,) = _fire(child, due + MINUTE)
        assert feedback.rule_id == "referrals.feedback-overdue"
        assert feedback.recipients == (Recipient("duty-manager", SOCIAL),)

    def test_a_decision_published_late_reports_late_feedback(self, child):
        """Decided on Thursday, on the bus only on Monday: feedback was late, once."""
        _made(child)
        _decided(child, THURSDAY + dt.timedelta(hours=3), recorded_at=MONDAY)
        (feedback,) = _fire(child, MONDAY + MINUTE)
        assert feedback.rule_id == "referrals.feedback-overdue"
        assert "after 1 working day" in feedback.summary


class TestAssessmentClock:
    def test_an_assessment_is_due_45_working_days_after_the_referral(self, child, calendar):
        """A child-in-need assessment decision starts the 45-working-day clock from the referral."""
        _made(child)
        _decided(child, FRIDAY - MINUTE, outcome="child_in_need_assessment")
        due = calendar.add_working_days(THURSDAY, 45)
        assert referral_due(child.state) == due
        (overdue,) = _fire(child, due + MINUTE)
        assert overdue.rule_id == "referrals.assessment-overdue"
        assert overdue.recipients == (Recipient("team-manager", SOCIAL),)

    def test_a_completed_assessment_ends_the_clock(self, child):
        """AssessmentCompleted of the same referral in time: nothing is due."""
        _made(child)
        _decided(child, FRIDAY - MINUTE, outcome="section_47_enquiry")
        completed = child.events.make(
            "AssessmentCompleted",
            MONDAY + dt.timedelta(days=20),
            SOCIAL,
            correlation_id=REFERRAL,
            completed_on=(MONDAY + dt.timedelta(days=20)).date(),
            factors=["2A"],
            outcome="child_in_need_plan",
            referrer_agency=SCHOOL,
        )
        child.apply(completed)
        assert referral_due(child.state) is None


class TestDisagreementStages:
    def test_a_disagreement_moves_through_the_stages_on_the_calendar(self, child, calendar):
        """Stage 1 past 3 working days goes to the managers, past 5 more to senior leads."""
        _made(child)
        _decided(child, FRIDAY - MINUTE, outcome="no_further_action")
        _disagreement(
            child,
            "ProfessionalDisagreementRaised",
            MONDAY,
            referrer_agency=SCHOOL,
            raised_with=SOCIAL,
            about="referral_decision",
            stage=1,
            summary=None,
        )
        first = calendar.add_working_days(MONDAY, 3)
        (to_managers,) = _fire(child, first + MINUTE)
        assert "stage 1 (practitioners)" in to_managers.summary
        assert set(to_managers.recipients) == {
            Recipient("team-manager", SOCIAL),
            Recipient("headteacher", SCHOOL),
        }
        second = calendar.add_working_days(first, 5)
        assert to_managers.due_by == second
        (to_leads,) = _fire(child, second + MINUTE)
        assert "stage 2 (managers)" in to_leads.summary
        assert Recipient("head-of-service", SOCIAL) in to_leads.recipients
        (partnership,) = _fire(child, calendar.add_working_days(second, 5) + MINUTE)
        assert partnership.recipients == (
            Recipient("partnership-business-manager", "safeguarding-partnership"),
        )
        assert referral_due(child.state) is None

    def test_resolution_ends_the_clock(self, child, calendar):
        """Resolved at stage 1: no stage alert ever fires."""
        fields = {"referrer_agency": SCHOOL, "raised_with": SOCIAL, "about": "other"}
        _disagreement(
            child, "ProfessionalDisagreementRaised", MONDAY, stage=1, summary=None, **fields
        )
        _disagreement(
            child,
            "ProfessionalDisagreementResolved",
            MONDAY + dt.timedelta(days=1),
            SOCIAL,
            referrer_agency=SCHOOL,
            stage=1,
            outcome="decision_changed",
        )
        assert _fire(child, calendar.add_working_days(MONDAY, 30)) == []

    def test_a_local_override_sets_the_stage_timescales(self, defaults, child, calendar):
        """An LA's threshold-rules.yaml with one-day stages escalates after one working day."""
        stages = defaults["rules"]["referrals.disagreement-stage-overdue"]["stages"]
        quick = [{**stage, "working_days": 1} for stage in stages]
        child.rules = rule_set_from_mappings(
            defaults, {"rules": {"referrals.disagreement-stage-overdue": {"stages": quick}}}
        )
        _disagreement(
            child,
            "ProfessionalDisagreementRaised",
            MONDAY,
            referrer_agency=SCHOOL,
            raised_with=SOCIAL,
            about="referral_decision",
            stage=1,
            summary=None,
        )
        assert referral_due(child.state) == calendar.add_working_days(MONDAY, 1)


class TestReferralState:
    def test_state_round_trips_and_copies_share_nothing(self, child):
        """Referral clocks survive to_dict/from_dict; a copy's clocks are its own."""
        _made(child)
        stored = ChildState.from_dict(child.state.to_dict())
        assert stored == child.state
        copied = child.state.copy()
        copied.referrals[REFERRAL]["clocks"].clear()
        assert child.state.referrals[REFERRAL]["clocks"]

    def test_referrals_per_child_are_bounded(self, child):
        """Past MAX_REFERRALS the oldest referrals are forgotten."""
        for number in range(MAX_REFERRALS + 3):
            _made(child, THURSDAY + dt.timedelta(minutes=number), referral=f"r{number}")
        assert len(child.state.referrals) == MAX_REFERRALS
        assert "r0" not in child.state.referrals

    def test_summaries_hold_no_identifier(self, child):
        """Alerts name the rule and the times, not the child, the referral or the agencies."""
        _made(child)
        (overdue,) = _fire(child, FRIDAY + MINUTE)
        for text in ("c" * 64, REFERRAL, SCHOOL, SOCIAL):
            assert text not in overdue.summary

    def test_a_disabled_rule_raises_nothing(self, defaults, child):
        """With the decision rule switched off locally, its clock ends silently."""
        child.rules = rule_set_from_mappings(
            defaults, {"rules": {"referrals.decision-overdue": {"enabled": False}}}
        )
        _made(child)
        assert _fire(child, MONDAY + dt.timedelta(days=5)) == []
        assert referral_due(child.state) is None


@pytest.fixture
def defaults():
    """The packaged rules file as a mapping, for overrides laid over it."""
    return yaml.safe_load(packaged_default("threshold-rules.yaml").read_text(encoding="utf-8"))
