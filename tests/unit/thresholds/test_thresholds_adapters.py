"""The thresholds adapters: stored state round trip, alert records, the code table."""

from __future__ import annotations

import datetime as dt

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.thresholds.adapters.alert_records import alert_id, escalation_record, raised_record
from services.thresholds.adapters.register_codes import register_codes
from services.thresholds.adapters.stored import RECENT_EVENT_IDS, StoredChild
from services.thresholds.domain.alerts import AlertDraft, Recipient
from services.thresholds.domain.escalation import Escalation, OpenAlert

AT = dt.datetime(2026, 11, 13, 21, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2026, 11, 16, 8, 30, tzinfo=dt.UTC)
EVIDENCE = "6f9b20bc-c253-4f52-b11c-dd1f78c25065"


def _draft() -> AlertDraft:
    return AlertDraft(
        rule_id="safeguarding.operation-encompass",
        severity="critical",
        child_ref="cr1_x",
        raised_at=AT,
        evidence_event_ids=(EVIDENCE,),
        recipients=(Recipient("designated-safeguarding-lead", "school-100001"),),
        summary="Operation Encompass",
        dedupe_key="k1",
        due_by=DUE,
        escalate_to=(Recipient("headteacher", "school-100001"),),
    )


class TestStoredChild:
    def test_round_trip_keeps_open_alerts_and_recent_ids(self):
        """What is written to the changelog reads back the same."""
        child = StoredChild()
        child.open_alerts["k1"] = OpenAlert.from_draft(_draft())
        child.remember("school-a", "e1")
        again = StoredChild.from_json(child.to_json())
        assert again.open_alerts == child.open_alerts
        assert again.seen("school-a", "e1")
        assert not again.seen("school-a", "e2")

    def test_recent_ids_are_bounded(self):
        """Only the most recent event ids are kept."""
        child = StoredChild()
        for n in range(RECENT_EVENT_IDS + 10):
            child.remember("school-a", f"e{n}")
        assert len(child.recent) == RECENT_EVENT_IDS
        assert not child.seen("school-a", "e0")


class TestAlertRecords:
    def test_raised_alert_fits_the_contract(self):
        """A critical draft becomes a critical AlertRaised the codec accepts."""
        record = raised_record(_draft(), DUE)
        assert record["severity"] == "critical"
        assert record["alert_id"] == alert_id("k1")
        assert record["recipient_agencies"] == ["school-100001"]
        AvroCodec(InMemorySchemaSource()).encode("AlertRaised", record)

    def test_escalation_names_the_escalation_recipients(self):
        """An escalation goes to escalate_to, with its own id and a `.escalated` rule."""
        alert = OpenAlert.from_draft(_draft())
        escalation = Escalation("k1:escalated", alert.rule_id, "cr1_x", DUE, alert.escalate_to)
        record = escalation_record(escalation, alert, "high")
        assert record["rule_id"] == "safeguarding.operation-encompass.escalated"
        assert record["severity"] == "critical"
        assert record["alert_id"] != alert_id("k1")
        assert record["recipient_roles"] == ["headteacher"]


class TestRegisterCodes:
    def test_codes_count_as_the_code_list_says(self):
        """O is an unauthorised absence; / is a present, possible session; I is illness."""
        codes = register_codes()
        assert codes("O").unauthorised
        assert codes("O").counts_as_absence
        assert not codes("/").counts_as_absence
        assert codes("/").counts_as_possible_session
        assert codes("I").illness
