import datetime as dt

from services.thresholds.domain.alerts import Recipient

D = dt.date
WITH_SOCIAL_WORKER = "exclusion.child-with-social-worker"
TERM = "exclusion.suspension-days-term"
YEAR = "exclusion.suspension-days-year"
LEFT_UNKNOWN = "roll.left-unknown-destination"


def _suspend(child, start: dt.date, days: int):
    return child.on(
        start,
        "SuspensionIssued",
        start_date=start,
        length_sessions=2 * days,
        school="school-100001",
    )


class TestExclusionOfChildWithSocialWorker:
    def test_suspension_of_child_in_need_alerts_social_worker_and_vsh(self, child):
        """A suspension of a child on a child-in-need plan goes to the social worker and VSH."""
        child.on(D(2026, 9, 3), "ChildInNeedPlanStarted", "la-social-care")
        (alert,) = _suspend(child, D(2026, 9, 7), 2)
        assert alert.rule_id == WITH_SOCIAL_WORKER
        assert alert.recipients == (
            Recipient("social-worker", "la-social-care"),
            Recipient("virtual-school-head", "virtual-school"),
        )
        assert alert.due_by == dt.datetime(2026, 9, 8, 8, 30, tzinfo=alert.due_by.tzinfo)

    def test_permanent_exclusion_of_looked_after_child_alerts(self, child):
        """A permanent exclusion of a looked-after child alerts too."""
        child.on(D(2026, 9, 3), "LookedAfterEpisodeStarted", "la-social-care")
        raised = child.on(
            D(2026, 9, 7),
            "PermanentExclusionIssued",
            start_date=D(2026, 9, 7),
            school="school-100001",
        )
        assert child.rule_ids(raised) == [WITH_SOCIAL_WORKER]
        assert raised[0].summary.startswith("Permanent exclusion")

    def test_child_without_social_worker_raises_nothing(self, child):
        """A short suspension of a child with no plan raises nothing."""
        assert _suspend(child, D(2026, 9, 7), 2) == []


class TestSuspensionDays:
    def test_fifteen_days_in_a_term_is_not_past_the_limit(self, child):
        """Exactly 15 suspension days in a term raise nothing."""
        assert _suspend(child, D(2026, 9, 7), 15) == []

    def test_sixteenth_day_in_a_term_alerts(self, child):
        """A further day taking the term past 15 alerts the governors and the LA."""
        _suspend(child, D(2026, 9, 7), 15)
        raised = _suspend(child, D(2026, 10, 5), 1)
        assert child.rule_ids(raised) == [TERM]
        assert "16 school days" in raised[0].summary

    def test_half_term_days_are_not_suspension_days(self, child):
        """A 10-day suspension across half term counts 10 school days in the autumn term."""
        _suspend(child, D(2026, 10, 19), 10)
        assert child.state.suspensions == {"2026-27/autumn": 10}

    def test_suspension_starting_on_a_closure_starts_next_school_day(self, child):
        """A suspension dated on an INSET day counts from the next school day."""
        _suspend(child, D(2027, 6, 7), 1)
        assert child.state.suspensions == {"2026-27/summer": 1}

    def test_forty_sixth_day_in_the_year_alerts(self, child):
        """45 days over three terms raise nothing; the 46th passes the yearly limit."""
        _suspend(child, D(2026, 9, 7), 15)
        _suspend(child, D(2027, 1, 11), 15)
        _suspend(child, D(2027, 4, 19), 15)
        assert child.alerts == []
        raised = _suspend(child, D(2027, 6, 8), 1)
        assert child.rule_ids(raised) == [TERM, YEAR]


class TestLeftRollUnknownDestination:
    def test_unknown_destination_alerts_cme_officer(self, child):
        """Leaving the roll to an unknown destination alerts the CME officer."""
        child.on(D(2026, 9, 3), "PupilJoinedRoll", school="school-100001")
        (alert,) = child.on(
            D(2026, 9, 7), "PupilLeftRoll", school="school-100001", destination="unknown"
        )
        assert alert.rule_id == LEFT_UNKNOWN
        assert alert.recipients == (Recipient("cme-officer", "la-education"),)
        assert child.state.school is None

    def test_missing_destination_counts_as_unknown(self, child):
        """A departure with no destination given is treated as unknown."""
        raised = child.on(D(2026, 9, 7), "PupilLeftRoll", school="school-100001")
        assert child.rule_ids(raised) == [LEFT_UNKNOWN]

    def test_known_destination_raises_nothing(self, child):
        """A move to a named school raises nothing."""
        raised = child.on(
            D(2026, 9, 7), "PupilLeftRoll", school="school-100001", destination="school-100002"
        )
        assert raised == []
