"""What a rule produces: an alert draft, before it becomes an AlertRaised event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from schemas.severity import Severity

# Evidence is a pointer list, not a history: at most this many event ids per alert.
MAX_EVIDENCE = 10


@dataclass(frozen=True, slots=True)
class Recipient:
    """A role at an agency (agency id as in the deployment's agencies.yaml)."""

    role: str
    agency: str


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """An alert a rule raised for a child, ready to be published through the router.

    `summary` states the rule and its numbers only: no identifiers, no event content.
    `involved_agencies` is set by the multi-agency match ("who else is involved");
    contact details are looked up by agency id at delivery.
    """

    rule_id: str
    severity: Severity
    child_ref: str
    raised_at: dt.datetime
    evidence_event_ids: tuple[str, ...]
    recipients: tuple[Recipient, ...]
    summary: str
    dedupe_key: str
    due_by: dt.datetime | None = None
    escalate_to: tuple[Recipient, ...] = ()
    involved_agencies: tuple[str, ...] = ()

    @property
    def recipient_roles(self) -> tuple[str, ...]:
        """The distinct roles the alert goes to, in order."""
        return tuple(dict.fromkeys(r.role for r in self.recipients))

    @property
    def recipient_agencies(self) -> tuple[str, ...]:
        """The distinct agency ids the alert goes to, in order."""
        return tuple(dict.fromkeys(r.agency for r in self.recipients))


def dedupe_key(rule_id: str, child_ref: str, trigger_event_id: str) -> str:
    """Deterministic key: re-processing the same event yields the same key."""
    return f"{rule_id}:{child_ref}:{trigger_event_id}"
