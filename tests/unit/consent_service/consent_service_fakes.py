"""Hand-written fakes and builders for the consent service's unit tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import httpx

from consent.domain import Agency, AgencyDirectory, ConsentDirective, SharingAgreement
from schemas.catalogue import Catalogue
from services.audit.index import AuditIndex
from services.audit.index_pool import index_pool
from services.audit.index_reviews import OverrideReview
from services.consent.bootstrap import routed_event_types
from services.consent.entrypoints.http import build_http_app
from services.consent.handlers import ConsentService
from services.consent.runtime import Runtime, RuntimeSlot
from services.consent.state import ConsentState
from services.consent.users import User, UserDirectory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# child_refs of the one strict form (schemas/child_ref.py): cr1_ and 32 base32 characters.
CHILD = "cr1_" + "a" * 32
OTHER_CHILD = "cr1_" + "b" * 32
OFFICER = "officer-token"
AUDITOR = "auditor-token"
LEAD = "lead-token"
IG_LEAD = "ig-lead-token"


class FakePublisher:
    """Records what it was asked to publish; `fail` makes the next publish raise."""

    def __init__(self) -> None:
        self.agreements: list[SharingAgreement] = []
        self.directives: list[tuple[ConsentDirective, int]] = []
        self.fail = False

    def _maybe_fail(self) -> None:
        if self.fail:
            raise ConnectionError("broker down")

    async def publish_agreement(self, agreement: SharingAgreement) -> None:
        self._maybe_fail()
        self.agreements.append(agreement)

    async def publish_directive(self, directive: ConsentDirective, version: int) -> None:
        self._maybe_fail()
        self.directives.append((directive, version))


class FakeAuditTrail:
    """Holds audit rows in memory and filters them like the Kafka one."""

    def __init__(self, rows: list[dict[str, Any]] | None = None) -> None:
        self.rows = rows or []
        self.searches: list[tuple[str | None, str | None]] = []

    async def search(self, child_ref: str | None, recipient: str | None) -> list[dict[str, Any]]:
        self.searches.append((child_ref, recipient))
        return [
            row
            for row in self.rows
            if (child_ref is None or row["child_ref"] == child_ref)
            and (recipient is None or row["recipient"] == recipient)
        ]

    async def verify(self) -> dict[str, Any]:
        return {
            "intact": True,
            "records": len(self.rows),
            "partitions": 1,
            "repeated_decisions": 0,
            "breaks": [],
        }


def directory() -> AgencyDirectory:
    rows = [
        ("school-100001", "school"),
        ("school-100002", "school"),
        ("la-social-care", "social-care"),
        ("la-education", "local-authority"),
        ("police-west", "police"),
    ]
    return AgencyDirectory(
        agencies=tuple(
            Agency(id=i, kind=k, name=i.title(), duty_contact=f"duty@{i}.example") for i, k in rows
        )
    )


def service(publisher: FakePublisher | None = None) -> ConsentService:
    return ConsentService(
        state=ConsentState(),
        publisher=publisher or FakePublisher(),
        directory=directory(),
        event_types=routed_event_types(Catalogue.load()),
        clock=lambda: NOW,
    )


def users() -> UserDirectory:
    def user(name: str, token: str, *roles: str) -> User:
        digest = hashlib.sha256(token.encode()).hexdigest()
        return User.model_validate({"name": name, "roles": roles, "token_sha256": digest})

    return UserDirectory(
        users=(
            user("officer", OFFICER, "consent-officer"),
            user("auditor", AUDITOR, "auditor"),
            user("lead", LEAD, "consent-officer", "auditor"),
            user("ig-lead", IG_LEAD, "ig-lead"),
        )
    )


def agreement_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "isa-attendance",
        "title": "Attendance to the LA attendance service",
        "provider": {"kind": "school"},
        "recipient": {"agency": "la-education"},
        "event_types": ["AttendanceMarked"],
        "data_classes": ["operational"],
        "purpose": "attendance-support",
        "legal_basis": "public-task-ca2004-s16la",
        "valid_from": "2025-09-01T00:00:00Z",
    }
    body.update(overrides)
    return body


def directive_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "withdrawn",
        "purpose": "early-help",
        "period": {"start": "2025-09-01T00:00:00Z"},
        "recorded_by": {"role": "social-worker", "agency": "la-social-care"},
    }
    body.update(overrides)
    return body


class FakeReviewPublisher:
    """Records the reviews it was asked to publish."""

    def __init__(self) -> None:
        self.published: list[tuple[OverrideReview, str]] = []

    async def publish_review(self, review: OverrideReview, child_ref: str) -> None:
        self.published.append((review, child_ref))


def unopened_index() -> AuditIndex:
    """The audit index on a pool never opened: any query is a 503 at once (no server here)."""
    return AuditIndex.on(index_pool("", timeout_s=0.1))


def client(consent: ConsentService, trail: FakeAuditTrail | None = None) -> httpx.AsyncClient:
    runtime = Runtime(
        consent,
        trail or FakeAuditTrail(),
        Catalogue.load().field_classes,
        unopened_index(),
        FakeReviewPublisher(),
    )
    app = build_http_app(RuntimeSlot(runtime), users())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
