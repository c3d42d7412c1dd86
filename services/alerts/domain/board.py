"""One agency's board: its view's alerts and evidence, folded with its acknowledgements.

The board is rebuilt by replaying `view.<agency>` and `alerts.acknowledged`
from the beginning; the two topics are read independently, so an
acknowledgement may arrive before its alert and waits until it does. Records
are de-duplicated on (publishing agency, `event_id`) (the view is at-least-once),
so one agency's event id never hides another agency's event; evidence is found
by (child_ref, event_id), so only an event about the alert's own child is shown
as its evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from services.alerts.domain.model import SEVERITIES, Acknowledgement, Alert, Disclosed


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One evidence event id of an alert and what the team's view holds for it (or None)."""

    event_id: str
    disclosed: Disclosed | None


class AlertBoard:
    """The alerts and evidence one agency's view holds."""

    def __init__(self, agency: str) -> None:
        """An empty board for `agency`."""
        self.agency = agency
        self._alerts: dict[str, Alert] = {}
        self._evidence: dict[tuple[str, str], Disclosed] = {}
        self._seen: set[tuple[str, str]] = set()
        self._waiting: dict[str, list[Acknowledgement]] = {}

    def record_disclosed(self, disclosed: Disclosed) -> Alert | None:
        """Fold one view record in; return the alert it raised or changed, if any."""
        seen = (disclosed.source_agency, disclosed.event_id)
        if disclosed.recipient != self.agency or seen in self._seen:
            return None
        self._seen.add(seen)
        if not disclosed.is_alert:
            self._evidence.setdefault((disclosed.child_ref, disclosed.event_id), disclosed)
            return None
        alert = Alert.from_disclosed(disclosed)
        earlier = self._alerts.get(alert.alert_id)
        if earlier is not None:
            alert = alert.model_copy(
                update={
                    "acknowledged_at": earlier.acknowledged_at,
                    "acknowledged_by_role": earlier.acknowledged_by_role,
                    "assignee": earlier.assignee,
                }
            )
        for ack in self._waiting.pop(alert.alert_id, []):
            alert = alert.with_acknowledgement(ack)
        self._alerts[alert.alert_id] = alert
        return alert

    def record_acknowledgement(self, ack: Acknowledgement) -> Alert | None:
        """Fold one acknowledgement of this agency in; return the changed alert, if known."""
        seen = (ack.agency, ack.event_id)
        if ack.agency != self.agency or seen in self._seen:
            return None
        self._seen.add(seen)
        alert = self._alerts.get(ack.alert_id)
        if alert is None:
            self._waiting.setdefault(ack.alert_id, []).append(ack)
            return None
        changed = alert.with_acknowledgement(ack)
        self._alerts[ack.alert_id] = changed
        return changed

    def get(self, alert_id: str) -> Alert | None:
        """The alert with this id on this board, or None."""
        return self._alerts.get(alert_id)

    def alerts(self, now: dt.datetime) -> list[Alert]:
        """Alerts needing action first, then by severity (highest first), newest first."""

        def key(alert: Alert) -> tuple[int, int, float]:
            done = alert.status(now) in {"acknowledged", "assigned"}
            rank = SEVERITIES.index(alert.severity) if alert.severity else -1
            return (int(done), -rank, -alert.raised_at.timestamp())

        return sorted(self._alerts.values(), key=key)

    def waiting(self, now: dt.datetime) -> tuple[int, int]:
        """Alerts nobody has acknowledged yet, and how many of those are overdue."""
        statuses = [alert.status(now) for alert in self._alerts.values()]
        overdue = statuses.count("escalated")
        return statuses.count("open") + overdue, overdue

    def evidence_for(self, alert: Alert) -> list[EvidenceItem]:
        """Each evidence id of `alert` with the disclosed event the view holds, if any."""
        return [
            EvidenceItem(i, self._evidence.get((alert.child_ref, i)))
            for i in alert.evidence_event_ids
        ]

    def __len__(self) -> int:
        """Number of alerts on the board."""
        return len(self._alerts)


class AlertBoards:
    """The boards of every agency the service serves; unknown agencies have none."""

    def __init__(self, agencies: Iterable[str]) -> None:
        """One empty board per agency."""
        self._boards = {agency: AlertBoard(agency) for agency in agencies}

    @property
    def agencies(self) -> tuple[str, ...]:
        """Agencies served, sorted."""
        return tuple(sorted(self._boards))

    def board(self, agency: str) -> AlertBoard | None:
        """The board of `agency`, or None when it is not served."""
        return self._boards.get(agency)

    def record_disclosed(self, disclosed: Disclosed) -> Alert | None:
        """Fold a view record into its recipient's board."""
        board = self._boards.get(disclosed.recipient)
        return None if board is None else board.record_disclosed(disclosed)

    def record_acknowledgement(self, ack: Acknowledgement) -> Alert | None:
        """Fold an acknowledgement into the acting agency's board."""
        board = self._boards.get(ack.agency)
        return None if board is None else board.record_acknowledgement(ack)
