"""Sample view records (decoded DisclosedEvents) for demos and tests.

They have the shape the router writes to `view.<agency>`; encode them with
`schemas.codec.AvroCodec.encode("DisclosedEvent", record)`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from schemas.envelope import envelope, published_by

DISCLOSED_EVENT_TYPE = "DisclosedEvent"
SAMPLE_CHILD_REF = "cr1_" + "samplealertchild" * 2  # the one child_ref form (schemas/child_ref.py)


def disclosed_record(  # noqa: PLR0913 - every envelope field a sample may vary
    recipient: str,
    event_type: str,
    fields: dict[str, Any],
    *,
    child_ref: str = SAMPLE_CHILD_REF,
    event_id: str | None = None,
    occurred_at: dt.datetime | None = None,
    source_agency: str = "police-west",
) -> dict[str, Any]:
    """A DisclosedEvent of `event_type` for `recipient` carrying `fields`."""
    moment = occurred_at or dt.datetime.now(dt.UTC)
    return envelope(
        event_type,
        event_id=event_id or str(uuid.uuid4()),
        occurred_at=moment,
        recorded_at=moment,
        source=published_by(source_agency, "sample"),
        child_ref=child_ref,
    ) | {
        "recipient": recipient,
        "agreement_id": "isa-operation-encompass",
        "agreement_version": 1,
        "legal_basis": "uk-gdpr-6-1-e",
        "purpose": "safeguarding",
        "consent_override": False,
        "decided_at": moment,
        "fields": json.dumps(fields, separators=(",", ":")),
    }


def alert_record(  # noqa: PLR0913 - every alert field a sample may vary
    recipient: str,
    *,
    summary: str = "Domestic abuse incident notified: share before the next school day",
    severity: str = "high",
    rule_id: str = "safeguarding.operation-encompass",
    evidence_event_ids: tuple[str, ...] = (),
    due_by: dt.datetime | None = None,
    child_ref: str = SAMPLE_CHILD_REF,
    alert_id: str | None = None,
) -> dict[str, Any]:
    """A disclosed AlertRaised for `recipient` with every alert field permitted."""
    due = due_by or dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)
    fields = {
        "alert_id": alert_id or str(uuid.uuid4()),
        "rule_id": rule_id,
        "severity": severity,
        "evidence_event_ids": list(evidence_event_ids),
        "due_by": due.isoformat(),
        "recipient_roles": ["designated-safeguarding-lead"],
        "recipient_agencies": [recipient],
        "summary": summary,
    }
    return disclosed_record(recipient, "AlertRaised", fields, child_ref=child_ref)
