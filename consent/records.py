"""Consent changes as events: agreements and directives to the compacted consent topics.

An agreement is keyed by its id (compaction keeps its newest version). A
directive is keyed `<child_ref>/<directive_id>` (compaction keeps each
directive's newest version) and sent to the partition of its child_ref, so the
router sees it in order with that child's events.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from consent.domain.agreement import SharingAgreement
from consent.domain.directive import ConsentDirective
from schemas.envelope import envelope, published_by

CONSENT_SOURCE: Final = published_by("joinedup-consent", "consent-service", "consent-officer")
_DIRECTIVE_SYMBOL: Final = {
    "given": "consent_given",
    "withdrawn": "consent_withdrawn",
    "objection": "objection",
}


def _envelope(event_type: str, child_ref: str, at: datetime) -> dict[str, Any]:
    return envelope(
        event_type, occurred_at=at, recorded_at=at, source=CONSENT_SOURCE, child_ref=child_ref
    )


def _selector_text(agency: str | None, kind: str | None) -> str:
    return agency or f"kind:{kind}"


def agreement_record(agreement: SharingAgreement, at: datetime | None = None) -> dict[str, Any]:
    """The SharingAgreementPublished event of one agreement version."""
    return {
        **_envelope("SharingAgreementPublished", "", at or datetime.now(UTC)),
        "agreement_id": agreement.id,
        "version": agreement.version,
        "provider": _selector_text(agreement.provider.agency, agreement.provider.kind),
        "recipient": _selector_text(agreement.recipient.agency, agreement.recipient.kind),
        "event_types": sorted(agreement.event_types),
        "purpose": agreement.purpose,
        "legal_basis": agreement.legal_basis,
        "valid_from": agreement.valid_from,
        "valid_to": agreement.valid_to,
        "payload": agreement.model_dump_json(),
    }


def directive_record(
    directive: ConsentDirective, version: int = 1, at: datetime | None = None
) -> dict[str, Any]:
    """The ConsentDirectiveRecorded event of one directive version."""
    recipient = directive.recipient
    return {
        **_envelope("ConsentDirectiveRecorded", directive.child_ref, at or datetime.now(UTC)),
        "directive_id": directive.id,
        "version": version,
        "directive": _DIRECTIVE_SYMBOL[directive.kind],
        "purpose": directive.purpose or "all",
        "recipient": _selector_text(recipient.agency, recipient.kind) if recipient else None,
        "valid_from": directive.period.start,
        "valid_to": directive.period.end,
        "recorded_by_role": directive.recorded_by.role,
        "stated_at": directive.stated_at,
        "payload": directive.model_dump_json(),
    }


def directive_key(directive: ConsentDirective) -> bytes:
    """Compaction key of a directive on consent.directives."""
    return f"{directive.child_ref}/{directive.id}".encode()
