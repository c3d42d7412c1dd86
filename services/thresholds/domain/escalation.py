"""Open alerts, their acknowledgement, and escalation when a deadline passes unacknowledged.

An alert acknowledged at or before its `due_by` is closed and never escalates.
Once `due_by` has passed without an acknowledgement the escalation is due, and a
late acknowledgement does not take it back: the missed deadline is itself what
the escalation reports. `now` is supplied by the caller (event or timer time).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from services.thresholds.domain.alerts import AlertDraft, Recipient


@dataclass(frozen=True, slots=True)
class OpenAlert:
    """What escalation needs to remember of a raised alert."""

    dedupe_key: str
    rule_id: str
    child_ref: str
    due_by: dt.datetime | None
    escalate_to: tuple[Recipient, ...] = ()
    acknowledged_at: dt.datetime | None = None
    escalated: bool = False

    @classmethod
    def from_draft(cls, draft: AlertDraft) -> OpenAlert:
        """Track a freshly raised alert."""
        return cls(
            draft.dedupe_key, draft.rule_id, draft.child_ref, draft.due_by, draft.escalate_to
        )

    @property
    def acknowledged_on_time(self) -> bool:
        """Acknowledged, and not after the deadline (if there is one)."""
        if self.acknowledged_at is None:
            return False
        return self.due_by is None or self.acknowledged_at <= self.due_by

    @property
    def closed(self) -> bool:
        """Nothing more to do: acknowledged on time, or acknowledged and escalated."""
        return self.acknowledged_on_time or (self.acknowledged_at is not None and self.escalated)


@dataclass(frozen=True, slots=True)
class Escalation:
    """An alert whose deadline passed unacknowledged, for the escalation recipients."""

    dedupe_key: str
    rule_id: str
    child_ref: str
    overdue_since: dt.datetime
    recipients: tuple[Recipient, ...]


def acknowledge(alert: OpenAlert, at: dt.datetime) -> OpenAlert:
    """The alert acknowledged at `at` (the earliest acknowledgement counts)."""
    first = at if alert.acknowledged_at is None else min(alert.acknowledged_at, at)
    return dataclasses.replace(alert, acknowledged_at=first)


def escalation_due(alert: OpenAlert, now: dt.datetime) -> bool:
    """Whether the alert's deadline passed before `now` with no acknowledgement in time."""
    if alert.due_by is None or alert.escalated or alert.acknowledged_on_time:
        return False
    return now > alert.due_by


def due_escalations(open_alerts: Iterable[OpenAlert], now: dt.datetime) -> list[Escalation]:
    """The escalations due at `now`, oldest deadline first."""
    if now.tzinfo is None:
        raise ValueError("due_escalations needs an aware datetime")
    due = [a for a in open_alerts if escalation_due(a, now)]
    return [
        Escalation(f"{a.dedupe_key}:escalated", a.rule_id, a.child_ref, a.due_by, a.escalate_to)
        for a in sorted(due, key=lambda a: a.due_by or now)
        if a.due_by is not None
    ]


def mark_escalated(alert: OpenAlert) -> OpenAlert:
    """The alert once its escalation has been sent."""
    return dataclasses.replace(alert, escalated=True)


def next_escalation(open_alerts: Iterable[OpenAlert]) -> dt.datetime | None:
    """When the earliest escalation of these alerts can fall due (None when none can)."""
    deadlines = [
        a.due_by
        for a in open_alerts
        if a.due_by is not None and not a.escalated and not a.acknowledged_on_time
    ]
    return min(deadlines, default=None)
