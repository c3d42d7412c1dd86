import datetime as dt
from zoneinfo import ZoneInfo

from services.thresholds.domain.alerts import Recipient

D = dt.date
LONDON = ZoneInfo("Europe/London")
ENCOMPASS = "safeguarding.operation-encompass"
MATCH = "safeguarding.multi-agency-match"
MISSING = "safeguarding.repeat-missing"


def _incident(child, at: dt.datetime, school: str | None = "school-100001"):
    event = child.events.make(
        "DomesticAbuseIncidentNotified", at, "police-west", incident_at=at, school=school
    )
    return child.apply(event)


class TestOperationEncompass:
    def test_friday_night_incident_is_due_monday_0830(self, child):
        """An incident late on Friday is due to the DSL by Monday 08:30."""
        (alert,) = _incident(child, dt.datetime(2026, 10, 9, 23, tzinfo=LONDON))
        assert alert.rule_id == ENCOMPASS
        assert alert.severity == "critical"
        assert alert.due_by == dt.datetime(2026, 10, 12, 8, 30, tzinfo=LONDON)
        assert alert.recipients == (Recipient("designated-safeguarding-lead", "school-100001"),)

    def test_incident_before_half_term_is_due_after_it(self, child):
        """An incident on the last evening before half term is due the first day back."""
        (alert,) = _incident(child, dt.datetime(2026, 10, 23, 19, tzinfo=LONDON))
        assert alert.due_by == dt.datetime(2026, 11, 2, 8, 30, tzinfo=LONDON)

    def test_early_morning_incident_is_due_the_same_day(self, child):
        """An incident at 06:00 on a school day is due at 08:30 that day."""
        (alert,) = _incident(child, dt.datetime(2026, 10, 14, 6, tzinfo=LONDON))
        assert alert.due_by == dt.datetime(2026, 10, 14, 8, 30, tzinfo=LONDON)

    def test_no_school_in_event_uses_school_on_roll(self, child):
        """With no school named, the DSL of the school the child is on roll at is told."""
        child.on(D(2026, 9, 3), "PupilJoinedRoll", school="school-100002")
        (alert,) = _incident(child, dt.datetime(2026, 10, 9, 23, tzinfo=LONDON), school=None)
        assert alert.recipient_agencies == ("school-100002",)

    def test_child_with_no_school_goes_to_the_la(self, child):
        """A child on no roll (e.g. home educated): the LA is told instead."""
        (alert,) = _incident(child, dt.datetime(2026, 10, 9, 23, tzinfo=LONDON), school=None)
        assert alert.recipients == (Recipient("designated-safeguarding-lead", "la-education"),)

    def test_every_incident_alerts(self, child):
        """Two incidents the same night raise two alerts (no cool-down)."""
        _incident(child, dt.datetime(2026, 10, 9, 21, tzinfo=LONDON))
        _incident(child, dt.datetime(2026, 10, 9, 23, tzinfo=LONDON))
        assert child.rule_ids() == [ENCOMPASS, ENCOMPASS]

    def test_summary_holds_no_identifier_or_content(self, child):
        """The summary names the rule, not the child, the school or the circumstances."""
        (alert,) = _incident(child, dt.datetime(2026, 10, 9, 23, tzinfo=LONDON))
        assert alert.child_ref not in alert.summary
        assert "school-100001" not in alert.summary
        assert alert.escalate_to == (
            Recipient("headteacher", "school-100001"),
            Recipient("education-safeguarding-officer", "la-education"),
        )


class TestMultiAgencyMatch:
    def test_two_agencies_within_90_days_are_told_of_each_other(self, child):
        """Concerns from a school and health 89 days apart tell each who else is involved."""
        child.on(D(2026, 10, 1), "ConcernRaised", "school-100001", category="neglect")
        (alert,) = child.on(D(2026, 12, 29), "ConcernRaised", "health-trust", category="neglect")
        assert alert.rule_id == MATCH
        assert alert.involved_agencies == ("health-trust", "school-100001")
        assert alert.recipients == (
            Recipient("duty-contact", "health-trust"),
            Recipient("duty-contact", "school-100001"),
        )
        assert "neglect" not in alert.summary

    def test_concerns_90_days_apart_do_not_match(self, child):
        """A concern that has aged out of the window does not make a match."""
        child.on(D(2026, 10, 1), "ConcernRaised", "school-100001", category="neglect")
        assert child.on(D(2026, 12, 30), "ConcernRaised", "health-trust", category="x") == []

    def test_same_agency_twice_is_no_match(self, child):
        """Two concerns from one agency are not a multi-agency match."""
        child.on(D(2026, 10, 1), "ConcernRaised", "school-100001", category="neglect")
        assert child.on(D(2026, 10, 2), "ConcernRaised", "school-100001", category="x") == []

    def test_only_a_new_agency_raises_a_new_match(self, child):
        """A repeat concern from a matched agency is quiet; a third agency is news."""
        child.on(D(2026, 10, 1), "ConcernRaised", "school-100001", category="a")
        child.on(D(2026, 10, 2), "ConcernRaised", "health-trust", category="a")
        assert child.on(D(2026, 10, 3), "ConcernRaised", "health-trust", category="a") == []
        at = dt.datetime(2026, 10, 4, 22, tzinfo=LONDON)
        raised = _incident(child, at)
        assert child.rule_ids(raised) == [ENCOMPASS, MATCH]
        assert raised[1].involved_agencies == ("health-trust", "police-west", "school-100001")


class TestRepeatMissing:
    def test_third_episode_within_90_days_alerts(self, child):
        """A third missing episode within 90 days alerts social care."""
        child.on(D(2026, 10, 1), "MissingEpisodeStarted", "la-social-care")
        child.on(D(2026, 11, 1), "MissingEpisodeStarted", "la-social-care")
        (alert,) = child.on(D(2026, 12, 1), "MissingEpisodeStarted", "la-social-care")
        assert alert.rule_id == MISSING
        assert len(alert.evidence_event_ids) == 3
        assert alert.recipient_agencies == ("la-social-care",)
        assert alert.recipient_roles == ("social-worker", "missing-coordinator")

    def test_episodes_spread_over_more_than_90_days_do_not_alert(self, child):
        """Three episodes over 100 days raise nothing."""
        child.on(D(2026, 9, 1), "MissingEpisodeStarted", "la-social-care")
        child.on(D(2026, 10, 15), "MissingEpisodeStarted", "la-social-care")
        assert child.on(D(2026, 12, 10), "MissingEpisodeStarted", "la-social-care") == []
