"""Holding what came back against the expectation."""

from collections import Counter

from services.simulate.compare import ObservedAlert, compare_alerts, compare_deliveries
from services.simulate.expectation import ExpectedAlert

RULE = "attendance.persistent-absence"


def _expected(pupil: int, evidence: str = "e1", recipients=("la-education", "school-1")):
    return ExpectedAlert(pupil, RULE, (evidence,), recipients)


def _observed(pupil: int, alert_id: str, evidence="e1", recipients=("la-education", "school-1")):
    return ObservedAlert(alert_id, (pupil, RULE, (evidence,)), recipients, 0)


class TestAlerts:
    def test_exact_match(self):
        """Every expected alert raised once, to its recipients: the rule matches."""
        tally = compare_alerts([_expected(1), _expected(2)], [_observed(2, "b"), _observed(1, "a")])
        assert tally[RULE].matches
        assert (tally[RULE].expected, tally[RULE].raised) == (2, 2)

    def test_missing_unexpected_and_twice_are_each_told(self):
        """An alert not raised, one not expected and one raised twice: three findings."""
        tally = compare_alerts(
            [_expected(1), _expected(2)],
            [_observed(2, "b"), _observed(2, "c"), _observed(3, "d")],
        )[RULE]
        assert not tally.matches
        assert [a.pupil for a in tally.missing] == [1]
        assert [a.alert_id for a in tally.duplicates] == ["c"]
        assert [a.alert_id for a in tally.unexpected] == ["d"]

    def test_other_recipients_are_misaddressed(self):
        """The right alert to the wrong agencies does not match."""
        tally = compare_alerts([_expected(1)], [_observed(1, "a", recipients=("school-1",))])[RULE]
        assert not tally.matches
        assert len(tally.misaddressed) == 1

    def test_other_evidence_is_another_alert(self):
        """The same rule for the same pupil on other evidence is not the expected alert."""
        tally = compare_alerts([_expected(1, "e1")], [_observed(1, "a", evidence="e2")])[RULE]
        assert len(tally.missing) == len(tally.unexpected) == 1


class TestDeliveries:
    def test_a_view_of_an_agency_not_addressed_is_unexpected(self):
        """An alert in the view of an agency it was not for is what must never happen."""
        alerts = [_observed(1, "a")]
        views = Counter({("la-education", "a"): 1, ("school-1", "a"): 1, ("police-west", "a"): 1})
        deliveries = compare_deliveries(alerts, views)
        assert deliveries["police-west"].unexpected == 1
        assert deliveries["la-education"].unexpected == 0

    def test_twice_in_one_view_is_unexpected_and_a_missing_view_is_withheld(self):
        """A second copy is unexpected; an addressed agency without the alert had it withheld."""
        deliveries = compare_deliveries([_observed(1, "a")], Counter({("la-education", "a"): 2}))
        assert deliveries["la-education"].unexpected == 1
        assert deliveries["school-1"].withheld == 1
        assert deliveries["school-1"].withheld_rules == Counter({RULE: 1})
