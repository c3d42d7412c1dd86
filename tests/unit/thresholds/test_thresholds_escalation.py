import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from services.thresholds.domain.escalation import (
    OpenAlert,
    acknowledge,
    due_escalations,
    mark_escalated,
    next_escalation,
)

LONDON = ZoneInfo("Europe/London")
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def alert(child) -> OpenAlert:
    at = dt.datetime(2026, 10, 9, 23, tzinfo=LONDON)
    event = child.events.make(
        "DomesticAbuseIncidentNotified", at, "police-west", incident_at=at, school="school-100001"
    )
    (draft,) = child.apply(event)
    return OpenAlert.from_draft(draft)


class TestEscalation:
    def test_acknowledged_a_minute_before_deadline_is_closed(self, alert):
        """An acknowledgement one minute before due_by closes the alert; nothing escalates."""
        acked = acknowledge(alert, alert.due_by - MINUTE)
        assert acked.closed
        assert due_escalations([acked], alert.due_by + dt.timedelta(hours=8)) == []

    def test_acknowledged_a_minute_after_deadline_is_already_escalating(self, alert):
        """An acknowledgement one minute late does not stop the escalation already due."""
        late = alert.due_by + MINUTE
        acked = acknowledge(alert, late)
        assert not acked.closed
        (escalation,) = due_escalations([acked], late)
        assert escalation.overdue_since == alert.due_by
        assert escalation.dedupe_key == f"{alert.dedupe_key}:escalated"
        assert escalation.recipients == alert.escalate_to

    def test_unacknowledged_at_the_deadline_is_not_yet_due(self, alert):
        """At due_by exactly there is still time; a minute later the escalation is due."""
        assert due_escalations([alert], alert.due_by) == []
        assert len(due_escalations([alert], alert.due_by + MINUTE)) == 1

    def test_escalated_alert_escalates_once(self, alert):
        """Once marked escalated, the alert is not escalated again."""
        done = mark_escalated(alert)
        assert due_escalations([done], alert.due_by + dt.timedelta(days=1)) == []
        assert acknowledge(done, alert.due_by + dt.timedelta(days=1)).closed

    def test_alert_without_deadline_never_escalates(self, alert):
        """An alert with no due_by has nothing to miss."""
        no_deadline = OpenAlert("k", "r", "c", None)
        assert due_escalations([no_deadline, alert], alert.due_by - MINUTE) == []

    def test_earliest_acknowledgement_counts(self, alert):
        """A second, later acknowledgement does not undo an on-time one."""
        acked = acknowledge(acknowledge(alert, alert.due_by - MINUTE), alert.due_by + MINUTE)
        assert acked.acknowledged_at == alert.due_by - MINUTE

    def test_due_escalations_needs_aware_now(self, alert):
        """A naive `now` is refused."""
        with pytest.raises(ValueError, match="aware"):
            due_escalations([alert], dt.datetime(2026, 10, 12, 9))  # noqa: DTZ001


class TestNextEscalation:
    def test_the_deadline_of_an_open_alert_until_it_is_closed_or_escalated(self, alert):
        """The timer is the deadline while open; none once acknowledged in time or escalated."""
        assert next_escalation([alert]) == alert.due_by
        assert next_escalation([acknowledge(alert, alert.due_by - MINUTE)]) is None
        assert next_escalation([acknowledge(alert, alert.due_by + MINUTE)]) == alert.due_by
        assert next_escalation([mark_escalated(alert)]) is None
        assert next_escalation([]) is None
