"""A child's thresholds state as stored in the changelog: rule state, open alerts, recent ids.

Recent events are remembered per publisher, as `<agency>/<event_id>`: an event
id is its publishing agency's own, so one agency's id never hides another
agency's event. A changelog written before this holds bare event ids; a bare
id still counts as seen for every agency, as it did, until newer ids push it
out of the window (RECENT_EVENT_IDS), so nothing applied once is applied again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Final

from services.thresholds.domain.alerts import Recipient
from services.thresholds.domain.escalation import OpenAlert
from services.thresholds.domain.merging import fold_states
from services.thresholds.domain.state import ChildState

RECENT_EVENT_IDS: Final = 256


@dataclass
class StoredChild:
    """Everything the thresholds service keeps about one child."""

    state: ChildState = field(default_factory=ChildState)
    open_alerts: dict[str, OpenAlert] = field(default_factory=dict)
    recent: list[str] = field(default_factory=list)

    def seen(self, agency: str, event_id: str) -> bool:
        """True when `agency`'s event `event_id` was applied already (a duplicate it sent)."""
        return published_id(agency, event_id) in self.recent or event_id in self.recent

    def remember(self, agency: str, event_id: str) -> None:
        """Remember an applied event of `agency` (the most recent few hundred)."""
        self.recent = [*self.recent[-(RECENT_EVENT_IDS - 1) :], published_id(agency, event_id)]

    def absorb(self, absorbed: StoredChild, child_ref: str) -> StoredChild:
        """The survivor `child_ref` (this child) with an absorbed child folded in.

        Open alerts move with their ids (an acknowledgement still finds them)
        and now name the survivor; recent event ids are joined.
        """
        moved = {
            key: dataclasses.replace(alert, child_ref=child_ref)
            for key, alert in absorbed.open_alerts.items()
        }
        recent = [*absorbed.recent, *(i for i in self.recent if i not in absorbed.recent)]
        return StoredChild(
            fold_states(self.state, absorbed.state),
            {**moved, **self.open_alerts},
            recent[-RECENT_EVENT_IDS:],
        )

    def to_json(self) -> bytes:
        """The changelog value."""
        return json.dumps(
            {
                "state": self.state.to_dict(),
                "open": [_alert_dict(a) for a in self.open_alerts.values() if not a.closed],
                "recent": self.recent,
            },
            separators=(",", ":"),
        ).encode()

    @classmethod
    def from_json(cls, value: bytes) -> StoredChild:
        """Read a changelog value back."""
        stored = json.loads(value)
        alerts = [_alert_of(a) for a in stored["open"]]
        return cls(
            ChildState.from_dict(stored["state"]),
            {a.dedupe_key: a for a in alerts},
            list(stored["recent"]),
        )


def published_id(agency: str, event_id: str) -> str:
    """How an applied event is remembered: by its publishing agency and its id."""
    return f"{agency}/{event_id}"


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _alert_dict(alert: OpenAlert) -> dict[str, Any]:
    return {
        "dedupe_key": alert.dedupe_key,
        "rule_id": alert.rule_id,
        "child_ref": alert.child_ref,
        "due_by": _time(alert.due_by),
        "escalate_to": [[r.role, r.agency] for r in alert.escalate_to],
        "acknowledged_at": _time(alert.acknowledged_at),
        "escalated": alert.escalated,
    }


def _alert_of(stored: dict[str, Any]) -> OpenAlert:
    def moment(key: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(stored[key]) if stored[key] else None

    return OpenAlert(
        dedupe_key=stored["dedupe_key"],
        rule_id=stored["rule_id"],
        child_ref=stored["child_ref"],
        due_by=moment("due_by"),
        escalate_to=tuple(Recipient(role, agency) for role, agency in stored["escalate_to"]),
        acknowledged_at=moment("acknowledged_at"),
        escalated=stored["escalated"],
    )
