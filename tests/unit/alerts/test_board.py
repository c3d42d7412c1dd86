import datetime as dt

from services.alerts.domain.board import AlertBoard, AlertBoards
from services.alerts.domain.model import Disclosed
from services.alerts.samples import disclosed_record


class TestAlertBoard:
    def test_folds_an_alert(self, make_alert, now):
        """A disclosed AlertRaised appears on its recipient's board."""
        board = AlertBoard("school-100001")
        alert = board.record_disclosed(make_alert())
        assert alert is not None
        assert board.alerts(now) == [alert]

    def test_ignores_another_recipients_record(self, make_alert, now):
        """A record addressed to another agency never reaches this board."""
        board = AlertBoard("school-100001")
        assert board.record_disclosed(make_alert("school-100002")) is None
        assert board.alerts(now) == []

    def test_deduplicates_on_event_id(self, make_alert):
        """The same view record read twice is folded once."""
        board = AlertBoard("school-100001")
        disclosed = make_alert()
        assert board.record_disclosed(disclosed) is not None
        assert board.record_disclosed(disclosed) is None
        assert len(board) == 1

    def test_acknowledgement_before_its_alert_waits(self, make_alert, make_ack, now):
        """An acknowledgement read before its alert applies when the alert arrives."""
        board = AlertBoard("school-100001")
        disclosed = make_alert(alert_id="a-1")
        assert board.record_acknowledgement(make_ack("a-1")) is None
        alert = board.record_disclosed(disclosed)
        assert alert is not None
        assert alert.status(now) == "acknowledged"

    def test_other_agencies_acknowledgement_is_ignored(self, make_alert, make_ack, now):
        """Another agency acknowledging the same alert does not close this team's copy."""
        board = AlertBoard("school-100001")
        board.record_disclosed(make_alert(alert_id="a-1"))
        assert board.record_acknowledgement(make_ack("a-1", agency="la-social-care")) is None
        assert board.alerts(now)[0].status(now) == "open"

    def test_evidence_is_matched_by_event_id(self, make_alert, make_evidence):
        """Evidence ids resolve to what the view holds; the rest show as not disclosed."""
        board = AlertBoard("school-100001")
        board.record_disclosed(make_evidence(event_id="e-1"))
        alert = board.record_disclosed(make_alert(evidence_event_ids=("e-1", "e-2")))
        assert alert is not None
        items = board.evidence_for(alert)
        assert [i.event_id for i in items] == ["e-1", "e-2"]
        assert items[0].disclosed is not None
        assert items[1].disclosed is None

    def test_another_agencys_event_with_the_same_id_is_not_hidden(self, make_alert):
        """De-duplication is per publisher: agency B reusing A's event id hides nothing."""
        board = AlertBoard("school-100001")
        fields = {"incident_at": "2026-03-01T22:10:00+00:00", "child_present": True}

        def evidence(source: str, child: str) -> Disclosed:
            record = disclosed_record(
                "school-100001",
                "DomesticAbuseIncidentNotified",
                fields,
                event_id="e-1",
                source_agency=source,
                child_ref=child,
            )
            return Disclosed.from_record(record)

        mine = evidence("police-west", make_alert().child_ref)
        board.record_disclosed(evidence("police-east", "cr1_" + "z" * 32))
        board.record_disclosed(mine)
        alert = board.record_disclosed(make_alert(evidence_event_ids=("e-1",)))
        assert alert is not None
        assert board.evidence_for(alert)[0].disclosed == mine

    def test_open_alerts_first_by_severity(self, make_alert, make_ack, now):
        """Alerts needing action come first, the most severe first."""
        board = AlertBoard("school-100001")
        for severity, alert_id in (("low", "low"), ("critical", "done"), ("high", "high")):
            board.record_disclosed(make_alert(severity=severity, alert_id=alert_id))
        board.record_acknowledgement(make_ack("done"))
        order = [a.alert_id for a in board.alerts(now)]
        assert order == ["high", "low", "done"]

    def test_re_raised_alert_keeps_acknowledgement(self, make_alert, make_ack, now):
        """A re-delivered alert (same alert id, new event) keeps what the team did."""
        board = AlertBoard("school-100001")
        board.record_disclosed(make_alert(alert_id="a-1"))
        board.record_acknowledgement(make_ack("a-1", at=now - dt.timedelta(minutes=1)))
        again = board.record_disclosed(make_alert(alert_id="a-1", severity="critical"))
        assert again is not None
        assert again.severity == "critical"
        assert again.status(now) == "acknowledged"

    def test_waiting_counts_unacknowledged_alerts_and_the_overdue_among_them(
        self, make_alert, make_ack, now
    ):
        """What the open and overdue gauges show: acknowledged ones are not waiting."""
        board = AlertBoard("school-100001")
        board.record_disclosed(make_alert(alert_id="fresh"))
        board.record_disclosed(make_alert(alert_id="late", due_by=now - dt.timedelta(hours=1)))
        board.record_disclosed(make_alert(alert_id="seen"))
        board.record_acknowledgement(make_ack("seen"))

        assert board.waiting(now) == (2, 1)


class TestAlertBoards:
    def test_routes_by_recipient(self, make_alert):
        """Each record lands on its recipient's board only."""
        boards = AlertBoards(["school-100001", "school-100002"])
        boards.record_disclosed(make_alert("school-100002"))
        first, second = boards.board("school-100001"), boards.board("school-100002")
        assert first is not None
        assert second is not None
        assert (len(first), len(second)) == (0, 1)

    def test_unserved_agency_has_no_board(self, make_alert):
        """Records for an agency the service does not serve are ignored."""
        boards = AlertBoards(["school-100001"])
        assert boards.record_disclosed(make_alert("police-west")) is None
        assert boards.board("police-west") is None
