"""Plain example values for the consent unit tests (no fakes needed: the domain is pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from consent.domain import (
    Agency,
    AgencyDirectory,
    AgencySelector,
    ChildState,
    ConsentDirective,
    EventFacts,
    Period,
    RecipientSelector,
    RecordedBy,
    SharingAgreement,
)
from consent.index import PolicyIndex

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# A child_ref of the one strict form (schemas/child_ref.py): cr1_ and 32 base32 characters.
CHILD = "cr1_7f3a2e" + "q" * 26
ENVELOPE = {
    "event_id": "operational",
    "event_type": "operational",
    "occurred_at": "operational",
    "recorded_at": "operational",
    "source": "operational",
    "child_ref": "identifying",
    "correlation_id": "operational",
}
ATTENDANCE_FIELDS = {
    **ENVELOPE,
    "school": "operational",
    "session_date": "operational",
    "session": "operational",
    "register_code": "special-category",
    "minutes_late": "operational",
}
DOMESTIC_ABUSE_FIELDS = {
    **ENVELOPE,
    "incident_at": "operational",
    "child_present": "special-category",
    "circumstances": "special-category",
    "school": "operational",
    "police_reference": "identifying",
    "officer_contact": "contact",
}


def directory() -> AgencyDirectory:
    """The agencies of the packaged agencies.yaml, written out."""
    rows = [
        ("school-100001", "school"),
        ("school-100002", "school"),
        ("la-social-care", "social-care"),
        ("la-education", "local-authority"),
        ("virtual-school", "local-authority"),
        ("police-west", "police"),
        ("health-trust", "health"),
    ]
    return AgencyDirectory(
        agencies=tuple(
            Agency(id=i, kind=k, name=i.title(), duty_contact=f"duty@{i}.example") for i, k in rows
        )
    )


def agency(agency_id: str) -> Agency:
    """One agency of the example directory."""
    return directory().require(agency_id)


def agreement(**overrides: Any) -> SharingAgreement:
    """School attendance to the LA attendance service, unless overridden."""
    values: dict[str, Any] = {
        "id": "isa-attendance",
        "version": 1,
        "title": "Attendance to the LA attendance service",
        "provider": AgencySelector(kind="school"),
        "recipient": RecipientSelector(agency="la-education"),
        "event_types": frozenset({"AttendanceMarked"}),
        "data_classes": frozenset({"operational", "special-category"}),
        "purpose": "attendance-support",
        "legal_basis": "public-task-ca2004-s16la",
        "valid_from": AT - timedelta(days=365),
    }
    values.update(overrides)
    return SharingAgreement(**values)


def attendance(provider: str = "school-100001", child_ref: str = CHILD) -> EventFacts:
    """An AttendanceMarked event's facts."""
    return EventFacts(
        event_type="AttendanceMarked",
        provider=provider,
        provider_kind="school",
        child_ref=child_ref,
        occurred_at=AT,
        field_classes=ATTENDANCE_FIELDS,
    )


def domestic_abuse(child_ref: str = CHILD) -> EventFacts:
    """A police DomesticAbuseIncidentNotified event's facts (Operation Encompass)."""
    return EventFacts(
        event_type="DomesticAbuseIncidentNotified",
        provider="police-west",
        provider_kind="police",
        child_ref=child_ref,
        occurred_at=AT,
        field_classes=DOMESTIC_ABUSE_FIELDS,
    )


def withdrawal(**overrides: Any) -> ConsentDirective:
    """Consent withdrawn for every purpose and recipient, from a year ago, unless overridden."""
    values: dict[str, Any] = {
        "id": "dir-1",
        "child_ref": CHILD,
        "kind": "withdrawn",
        "period": Period(start=AT - timedelta(days=365)),
        "recorded_by": RecordedBy(role="consent-officer", agency="la-social-care"),
        "recorded_at": AT - timedelta(days=1),
    }
    values.update(overrides)
    return ConsentDirective(**values)


def state(**overrides: Any) -> ChildState:
    """The example child, on roll at school-100001, unless overridden."""
    values: dict[str, Any] = {"child_ref": CHILD, "on_roll_at": frozenset({"school-100001"})}
    values.update(overrides)
    return ChildState(**values)


def index(*agreements: SharingAgreement) -> PolicyIndex:
    """The agreements compiled against the example directory."""
    return PolicyIndex.compile(agreements, directory())
