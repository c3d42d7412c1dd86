import pytest

from services.alerts import handlers
from services.alerts.domain.board import AlertBoards
from services.alerts.domain.model import Acknowledgement, Alert
from services.alerts.exceptions import ForbiddenError, UnknownAlertError


class FakeSink:
    """Records what would have been published."""

    def __init__(self) -> None:
        self.published: list[Acknowledgement] = []

    async def publish(self, ack: Acknowledgement) -> None:
        self.published.append(ack)


@pytest.fixture
def setup(make_alert, now):
    boards = AlertBoards(["school-100001", "school-100002"])
    boards.record_disclosed(make_alert(alert_id="a-1"))
    sink, notified = FakeSink(), []

    def notify(alert: Alert) -> None:
        notified.append(alert)

    ctx = handlers.AlertsContext(boards, sink, notify, lambda: now)
    return ctx, sink, notified


class TestAcknowledgeAlert:
    async def test_publishes_and_updates_the_board(self, setup, worker, now):
        """Acknowledging publishes AlertAcknowledged and the board shows it at once."""
        ctx, sink, notified = setup
        alert = await handlers.acknowledge_alert(ctx, worker, "a-1")
        assert alert.status(now) == "acknowledged"
        assert [(a.alert_id, a.action, a.by_role) for a in sink.published] == [
            ("a-1", "acknowledge", "duty-worker")
        ]
        assert notified == [alert]

    async def test_another_agencys_alert_is_not_found(self, setup, outsider):
        """A user of another agency cannot acknowledge (or learn of) the alert."""
        ctx, sink, _ = setup
        with pytest.raises(UnknownAlertError):
            await handlers.acknowledge_alert(ctx, outsider, "a-1")
        assert sink.published == []


class TestAssignAlert:
    async def test_manager_assigns(self, setup, manager, now):
        """A duty manager assigns an alert to a named colleague."""
        ctx, sink, _ = setup
        alert = await handlers.assign_alert(ctx, manager, "a-1", " J. Smith ")
        assert alert.status(now) == "assigned"
        assert sink.published[0].assignee == "J. Smith"

    async def test_worker_may_not_assign(self, setup, worker):
        """A duty worker is forbidden to assign."""
        ctx, sink, _ = setup
        with pytest.raises(ForbiddenError):
            await handlers.assign_alert(ctx, worker, "a-1", "Someone")
        assert sink.published == []

    async def test_blank_assignee_is_refused(self, setup, manager):
        """An assignment needs a name."""
        ctx, _, _ = setup
        with pytest.raises(ValueError, match="assignee"):
            await handlers.assign_alert(ctx, manager, "a-1", "  ")


class TestListAlerts:
    def test_lists_only_own_agency(self, setup, manager, outsider):
        """Each user lists their own agency's alerts only."""
        ctx, _, _ = setup
        assert [a.alert_id for a in handlers.list_alerts(ctx, manager)] == ["a-1"]
        assert handlers.list_alerts(ctx, outsider) == []
