"""What a duty team sees: disclosed events, alerts and acknowledgements.

A `Disclosed` is one record of `view.<agency>` (schemas/avro/view/DisclosedEvent.avsc)
with its `fields` JSON parsed. An `Alert` is a disclosed `AlertRaised`: it carries
only the fields the sharing agreement permitted, so every alert field beyond
the envelope may be missing and is then shown as "not disclosed".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from schemas import severity as wire

AlertStatus = Literal["open", "acknowledged", "assigned", "escalated"]
AlertAction = Literal["acknowledge", "assign"]
# The contract's words, in rising order (schemas/severity.py).
Severity = wire.Severity
SEVERITIES = wire.SEVERITIES

ALERT_EVENT_TYPE = "AlertRaised"
ACKNOWLEDGED_EVENT_TYPE = "AlertAcknowledged"


def _aware(value: Any) -> dt.datetime | None:
    """A UTC-aware datetime from an ISO 8601 string, epoch millis or a datetime."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, int | float):
        moment = dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
    else:
        moment = dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Disclosed(BaseModel):
    """One event as a recipient agency's view holds it."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    event_type: str
    occurred_at: dt.datetime
    child_ref: str
    source_agency: str
    recipient: str
    agreement_id: str
    agreement_version: int
    legal_basis: str
    purpose: str
    consent_override: bool
    fields: Mapping[str, Any]

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Disclosed:
        """Read a decoded DisclosedEvent; raise ValueError/KeyError/TypeError when malformed."""
        fields = json.loads(str(record["fields"]))
        if not isinstance(fields, dict):
            raise TypeError("fields: is not a JSON object")
        return cls(
            event_id=str(record["event_id"]),
            event_type=str(record["event_type"]),
            occurred_at=_aware(record["occurred_at"]) or dt.datetime.now(dt.UTC),
            child_ref=str(record["child_ref"]),
            source_agency=str(record["source"]["agency"]),
            recipient=str(record["recipient"]),
            agreement_id=str(record["agreement_id"]),
            agreement_version=int(record["agreement_version"]),
            legal_basis=str(record["legal_basis"]),
            purpose=str(record["purpose"]),
            consent_override=bool(record["consent_override"]),
            fields=fields,
        )

    @property
    def is_alert(self) -> bool:
        """Whether this disclosure is an alert (rather than evidence)."""
        return self.event_type == ALERT_EVENT_TYPE


class Acknowledgement(BaseModel):
    """A duty worker acknowledged or assigned an alert (an AlertAcknowledged event)."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    alert_id: str
    agency: str
    child_ref: str
    action: AlertAction
    at: dt.datetime
    by_role: str
    assignee: str | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Acknowledgement:
        """Read a decoded AlertAcknowledged event."""
        return cls(
            event_id=str(record["event_id"]),
            alert_id=str(record["alert_id"]),
            agency=str(record["source"]["agency"]),
            child_ref=str(record["child_ref"]),
            action=record["action"],
            at=_aware(record["occurred_at"]) or dt.datetime.now(dt.UTC),
            by_role=str(record["by_role"]),
            assignee=record.get("assignee"),
        )


def _severity(value: Any) -> Severity | None:
    for severity in SEVERITIES:
        if value == severity:
            return severity
    return None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


class Alert(BaseModel):
    """An alert on one agency's board, with what the team has done about it."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    event_id: str
    agency: str
    child_ref: str
    raised_at: dt.datetime
    source_agency: str
    agreement_id: str
    legal_basis: str
    purpose: str
    rule_id: str | None = None
    severity: Severity | None = None
    summary: str | None = None
    due_by: dt.datetime | None = None
    evidence_event_ids: tuple[str, ...] = ()
    recipient_roles: tuple[str, ...] = ()
    acknowledged_at: dt.datetime | None = None
    acknowledged_by_role: str | None = None
    assignee: str | None = None

    @classmethod
    def from_disclosed(cls, disclosed: Disclosed) -> Alert:
        """The alert a disclosed AlertRaised carries (its alert_id, else its event id)."""
        fields = disclosed.fields
        summary = fields.get("summary")
        rule_id = fields.get("rule_id")
        return cls(
            alert_id=str(fields.get("alert_id") or disclosed.event_id),
            event_id=disclosed.event_id,
            agency=disclosed.recipient,
            child_ref=disclosed.child_ref,
            raised_at=disclosed.occurred_at,
            source_agency=disclosed.source_agency,
            agreement_id=disclosed.agreement_id,
            legal_basis=disclosed.legal_basis,
            purpose=disclosed.purpose,
            rule_id=None if rule_id is None else str(rule_id),
            severity=_severity(fields.get("severity")),
            summary=None if summary is None else str(summary),
            due_by=_aware(fields.get("due_by")),
            evidence_event_ids=_strings(fields.get("evidence_event_ids")),
            recipient_roles=_strings(fields.get("recipient_roles")),
        )

    def with_acknowledgement(self, ack: Acknowledgement) -> Alert:
        """The alert after `ack`: the earliest acknowledgement counts; the latest assignee."""
        first = ack.at if self.acknowledged_at is None else min(self.acknowledged_at, ack.at)
        role = self.acknowledged_by_role if first == self.acknowledged_at else ack.by_role
        assignee = ack.assignee if ack.action == "assign" else self.assignee
        return self.model_copy(
            update={"acknowledged_at": first, "acknowledged_by_role": role, "assignee": assignee}
        )

    def overdue(self, now: dt.datetime) -> bool:
        """The deadline passed before anyone acknowledged (or with nobody acknowledging yet)."""
        if self.due_by is None:
            return False
        if self.acknowledged_at is None:
            return now > self.due_by
        return self.acknowledged_at > self.due_by

    def status(self, now: dt.datetime) -> AlertStatus:
        """Assigned, acknowledged, escalated (unacknowledged past `due_by`) or open."""
        if self.assignee:
            return "assigned"
        if self.acknowledged_at is not None:
            return "acknowledged"
        return "escalated" if self.overdue(now) else "open"

    def as_json(self, now: dt.datetime) -> dict[str, Any]:
        """The alert as the JSON API, the feed and webhooks show it."""
        body = self.model_dump(mode="json")
        body["status"] = self.status(now)
        body["overdue"] = self.overdue(now)
        return body
