"""Use cases of the alerts service: list, look at, acknowledge and assign alerts.

Every use case takes the signed-in user and works on that user's agency's
board only: an alert of another agency is simply not found.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from services.alerts.domain.board import AlertBoard, AlertBoards, EvidenceItem
from services.alerts.domain.model import Acknowledgement, Alert, AlertAction
from services.alerts.domain.users import DutyUser
from services.alerts.exceptions import ForbiddenError, UnknownAlertError
from services.observability.metrics import metrics


class AcknowledgementSink(Protocol):
    """Where acknowledgements are published (Kafka in production, a list in tests)."""

    async def publish(self, ack: Acknowledgement) -> None:
        """Publish `ack`; return once it is durable."""
        ...


@dataclass(frozen=True)
class AlertsContext:
    """What the use cases work with."""

    boards: AlertBoards
    sink: AcknowledgementSink
    notify: Callable[[Alert], None]
    clock: Callable[[], dt.datetime]


def board_of(ctx: AlertsContext, user: DutyUser) -> AlertBoard:
    """The signed-in user's agency's board (empty when the agency is not served)."""
    return ctx.boards.board(user.agency) or AlertBoard(user.agency)


def list_alerts(ctx: AlertsContext, user: DutyUser) -> list[Alert]:
    """The alerts of the user's agency, those needing action first."""
    return board_of(ctx, user).alerts(ctx.clock())


def find_alert(ctx: AlertsContext, user: DutyUser, alert_id: str) -> Alert:
    """One alert of the user's agency; `UnknownAlertError` for any other id."""
    alert = board_of(ctx, user).get(alert_id)
    if alert is None:
        raise UnknownAlertError(f"alert {alert_id!r} is not on your agency's board")
    return alert


def evidence_of(ctx: AlertsContext, user: DutyUser, alert_id: str) -> list[EvidenceItem]:
    """The evidence of an alert as the user's agency's view holds it."""
    return board_of(ctx, user).evidence_for(find_alert(ctx, user, alert_id))


async def _act(
    ctx: AlertsContext, user: DutyUser, alert_id: str, action: AlertAction, assignee: str | None
) -> Alert:
    alert = find_alert(ctx, user, alert_id)
    ack = Acknowledgement(
        event_id=str(uuid.uuid4()),
        alert_id=alert.alert_id,
        agency=user.agency,
        child_ref=alert.child_ref,
        action=action,
        at=ctx.clock(),
        by_role=user.role,
        assignee=assignee,
    )
    await ctx.sink.publish(ack)
    board = board_of(ctx, user)
    # The board feed may have read the acknowledgement back already.
    changed = board.record_acknowledgement(ack) or board.get(alert.alert_id) or alert
    ctx.notify(changed)
    return changed


async def acknowledge_alert(ctx: AlertsContext, user: DutyUser, alert_id: str) -> Alert:
    """Acknowledge an alert of the user's agency and publish AlertAcknowledged."""
    return await _act(ctx, user, alert_id, "acknowledge", None)


async def assign_alert(ctx: AlertsContext, user: DutyUser, alert_id: str, assignee: str) -> Alert:
    """Assign an alert to a colleague (duty managers only); publishes AlertAcknowledged."""
    if not user.may_assign:
        raise ForbiddenError("only a duty manager may assign alerts")
    name = assignee.strip()
    if not name or len(name) > 100:
        raise ValueError("assignee: give a name of 1 to 100 characters")
    return await _act(ctx, user, alert_id, "assign", name)


def count_waiting(ctx: AlertsContext) -> None:
    """Set the open and overdue alert gauges from the boards, now."""
    now, m = ctx.clock(), metrics()
    for agency in ctx.boards.agencies:
        board = ctx.boards.board(agency)
        waiting, overdue = board.waiting(now) if board is not None else (0, 0)
        m.alerts_open.labels(agency).set(waiting)
        m.alerts_overdue.labels(agency).set(overdue)
