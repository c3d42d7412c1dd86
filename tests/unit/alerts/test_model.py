import datetime as dt
import json

import pytest

from services.alerts.domain.model import Alert, Disclosed
from services.alerts.samples import disclosed_record


class TestDisclosed:
    def test_reads_fields_json(self, make_evidence):
        """The `fields` JSON string becomes a mapping of the permitted fields."""
        disclosed = make_evidence(event_id="e-9")
        assert disclosed.event_id == "e-9"
        assert disclosed.fields["child_present"] is True
        assert not disclosed.is_alert

    def test_refuses_fields_that_are_not_an_object(self):
        """A view record whose fields are not a JSON object is malformed."""
        record = disclosed_record("school-100001", "AlertRaised", {})
        record["fields"] = json.dumps([1, 2])
        with pytest.raises(TypeError):
            Disclosed.from_record(record)


class TestAlert:
    def test_carries_permitted_fields(self, make_alert, now):
        """An alert shows rule, severity, summary, evidence and deadline from its fields."""
        alert = Alert.from_disclosed(make_alert(evidence_event_ids=("e-1",), severity="critical"))
        assert alert.severity == "critical"
        assert alert.evidence_event_ids == ("e-1",)
        assert alert.due_by == now + dt.timedelta(hours=1)
        assert alert.status(now) == "open"

    def test_fields_not_permitted_are_none(self):
        """When the agreement permits only some fields, the others stay undisclosed."""
        record = disclosed_record("school-100001", "AlertRaised", {"severity": "high"})
        alert = Alert.from_disclosed(Disclosed.from_record(record))
        assert alert.summary is None
        assert alert.rule_id is None
        assert alert.alert_id == record["event_id"]

    def test_escalated_when_unacknowledged_past_due(self, make_alert, now):
        """Past its deadline with nobody acknowledging, an alert is escalated and overdue."""
        alert = Alert.from_disclosed(make_alert())
        later = now + dt.timedelta(hours=2)
        assert alert.status(later) == "escalated"
        assert alert.overdue(later)

    def test_acknowledged_in_time_is_not_overdue(self, make_alert, make_ack, now):
        """An acknowledgement before the deadline closes the alert on time."""
        alert = Alert.from_disclosed(make_alert())
        acked = alert.with_acknowledgement(make_ack(alert.alert_id, at=now))
        later = now + dt.timedelta(hours=2)
        assert acked.status(later) == "acknowledged"
        assert not acked.overdue(later)

    def test_late_acknowledgement_stays_overdue(self, make_alert, make_ack, now):
        """An acknowledgement after the deadline does not take the miss back."""
        alert = Alert.from_disclosed(make_alert())
        late = alert.with_acknowledgement(make_ack(alert.alert_id, at=now + dt.timedelta(hours=3)))
        assert late.overdue(now + dt.timedelta(hours=4))

    def test_assignment_names_the_assignee(self, make_alert, make_ack, now):
        """Assigning records the assignee and counts as acknowledging."""
        alert = Alert.from_disclosed(make_alert())
        ack = make_ack(alert.alert_id, action="assign", assignee="J. Smith")
        assigned = alert.with_acknowledgement(ack)
        assert assigned.status(now) == "assigned"
        assert assigned.assignee == "J. Smith"
        assert assigned.acknowledged_at == now

    def test_earliest_acknowledgement_counts(self, make_alert, make_ack, now):
        """Of two acknowledgements, the earlier time is kept."""
        alert = Alert.from_disclosed(make_alert())
        first = alert.with_acknowledgement(make_ack(alert.alert_id, at=now))
        again = first.with_acknowledgement(
            make_ack(alert.alert_id, at=now + dt.timedelta(minutes=5), event_id="x")
        )
        assert again.acknowledged_at == now

    def test_json_has_status_and_overdue(self, make_alert, now):
        """The JSON form adds the status and overdue flag at `now`."""
        body = Alert.from_disclosed(make_alert()).as_json(now)
        assert body["status"] == "open"
        assert body["overdue"] is False
        assert body["severity"] == "high"
