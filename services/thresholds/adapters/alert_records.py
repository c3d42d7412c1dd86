"""AlertRaised events from alert drafts and escalations (schemas/avro/alerts/AlertRaised.avsc)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Final

from schemas.envelope import envelope, published_by
from schemas.severity import Severity, escalated
from services.thresholds.domain.alerts import AlertDraft, Recipient
from services.thresholds.domain.escalation import Escalation, OpenAlert

SOURCE: Final = published_by("joinedup-thresholds", "thresholds")
_ALERT_IDS: Final = uuid.UUID("2d0f4b8e-9a61-4c35-8e0d-7b1c2f3a4e5d")


def alert_id(dedupe_key: str) -> uuid.UUID:
    """The alert's id: the same for the same rule, child and trigger, however often raised."""
    return uuid.uuid5(_ALERT_IDS, dedupe_key)


def _envelope(
    child_ref: str,
    occurred_at: dt.datetime,
    key: str,
    correlation: str | None,
) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return envelope(
        "AlertRaised",
        event_id=alert_id(key),
        occurred_at=min(occurred_at, now),
        recorded_at=now,
        source=SOURCE,
        child_ref=child_ref,
        correlation_id=correlation,
    )


def _recipients(recipients: tuple[Recipient, ...]) -> dict[str, list[str]]:
    return {
        "recipient_roles": sorted({r.role for r in recipients}),
        "recipient_agencies": sorted({r.agency for r in recipients}),
    }


def raised_record(draft: AlertDraft, due_by: dt.datetime) -> dict[str, Any]:
    """The AlertRaised event of a draft (due_by filled in when the rule sets none)."""
    evidence = [uuid.UUID(e) for e in draft.evidence_event_ids]
    return {
        **_envelope(
            draft.child_ref,
            draft.raised_at,
            draft.dedupe_key,
            draft.evidence_event_ids[-1] if draft.evidence_event_ids else None,
        ),
        "alert_id": alert_id(draft.dedupe_key),
        "rule_id": draft.rule_id,
        "severity": draft.severity,
        "evidence_event_ids": evidence,
        "due_by": due_by,
        **_recipients(draft.recipients),
        "summary": draft.summary,
    }


def escalation_record(
    escalation: Escalation,
    alert: OpenAlert,
    severity: Severity,
) -> dict[str, Any]:
    """The AlertRaised event escalating an alert nobody acknowledged by its deadline."""
    overdue = escalation.overdue_since
    return {
        **_envelope(
            escalation.child_ref, overdue, escalation.dedupe_key, str(alert_id(alert.dedupe_key))
        ),
        "alert_id": alert_id(escalation.dedupe_key),
        "rule_id": f"{escalation.rule_id}.escalated",
        "severity": escalated(severity),
        "evidence_event_ids": [],
        "due_by": overdue,
        **_recipients(escalation.recipients),
        "summary": f"Not acknowledged by {overdue:%a %d %b %H:%M} UTC: {escalation.rule_id}",
    }
