"""Sample view records of the referral loop (decoded DisclosedEvents), for demos and tests.

Shaped as the router writes them to `view.<agency>`, with the referral's id as
the correlation_id; encode with `AvroCodec.encode("DisclosedEvent", record)`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.alerts.samples import SAMPLE_CHILD_REF, disclosed_record

SOCIAL_CARE = "la-social-care"


def loop_record(  # noqa: PLR0913 - every envelope field a sample may vary
    recipient: str,
    event_type: str,
    referral_id: str,
    fields: dict[str, Any],
    *,
    source_agency: str = SOCIAL_CARE,
    occurred_at: dt.datetime | None = None,
    routed_at: dt.datetime | None = None,
    child_ref: str = SAMPLE_CHILD_REF,
    event_id: str | None = None,
    agreement_id: str = "isa-referral-feedback-schools",
) -> dict[str, Any]:
    """A disclosed event of one referral for `recipient`, carrying `fields`."""
    record = disclosed_record(
        recipient,
        event_type,
        fields,
        child_ref=child_ref,
        event_id=event_id,
        occurred_at=occurred_at,
        source_agency=source_agency,
    )
    record["correlation_id"] = referral_id
    record["agreement_id"] = agreement_id
    record["legal_basis"] = "public-task-ca2004-s16la"
    if routed_at is not None:
        record["decided_at"] = routed_at
    return record


def decision_fields(outcome: str = "early_help", **overrides: Any) -> dict[str, Any]:
    """The five fields the referral-feedback agreement discloses of a ReferralDecided."""
    return {
        "outcome": outcome,
        "threshold_level": "level-2",
        "reason_category": "early-help-appropriate",
        "next_steps": "Early help assessment offered by the family support team this week",
        "contact": "Duty desk 01234 567890",
        **overrides,
    }
