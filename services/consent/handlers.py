"""Use cases of the consent service: change agreements and directives, publish each change.

Every change is published to its compacted topic first and applied to the
in-memory state only once the broker has acknowledged it, under one lock, so
versions are assigned in order and a failed publish changes nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import structlog

from consent.domain.agency import AgencyDirectory
from consent.domain.agreement import SharingAgreement
from consent.domain.directive import ConsentDirective, RecordedBy
from consent.domain.selectors import AgencySelector
from services.consent.commands import (
    AgreementDraft,
    CreateAgreement,
    RecordDirective,
    checked_child_ref,
)
from services.consent.exceptions import ConflictError, InvalidRequestError, NotFoundError
from services.consent.state import ConsentState, VersionedDirective

log = structlog.get_logger("joinedup.consent")


class ConsentPublisher(Protocol):
    """Writes consent changes to the compacted consent topics."""

    async def publish_agreement(self, agreement: SharingAgreement) -> None:
        """Publish one agreement version (returns once the broker has it)."""
        ...

    async def publish_directive(self, directive: ConsentDirective, version: int) -> None:
        """Publish one directive version to its child's partition."""
        ...


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ConsentService:
    """What the use cases work on, injected by the bootstrap (or by tests, with fakes)."""

    state: ConsentState
    publisher: ConsentPublisher
    directory: AgencyDirectory
    event_types: frozenset[str]
    clock: Callable[[], datetime] = _now
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def _check_selector(
    selector: AgencySelector | None, where: str, directory: AgencyDirectory
) -> None:
    if selector is not None and selector.agency is not None and selector.agency not in directory:
        raise InvalidRequestError(
            f"{where}.agency", f"{selector.agency!r} is not in the agency directory"
        )


def _checked(draft: AgreementDraft, service: ConsentService) -> None:
    _check_selector(draft.provider, "provider", service.directory)
    _check_selector(draft.recipient, "recipient", service.directory)
    unknown = sorted(draft.event_types - service.event_types)
    if unknown:
        raise InvalidRequestError(
            "event_types", f"{', '.join(unknown)} not in the schema catalogue"
        )


def _agreement(agreement_id: str, version: int, draft: AgreementDraft) -> SharingAgreement:
    content = draft.model_dump(exclude={"id", "based_on_version"})
    return SharingAgreement.model_validate({**content, "id": agreement_id, "version": version})


async def _publish_agreement(service: ConsentService, agreement: SharingAgreement) -> None:
    await service.publisher.publish_agreement(agreement)
    service.state.apply_agreement(agreement)
    log.info(
        "agreement published",
        agreement_id=agreement.id,
        version=agreement.version,
        status=agreement.status,
    )


async def create_agreement(service: ConsentService, command: CreateAgreement) -> SharingAgreement:
    """Publish version 1 of a new agreement; ConflictError when the id is taken."""
    _checked(command, service)
    async with service.lock:
        if service.state.agreement(command.id) is not None:
            raise ConflictError("id", f"agreement {command.id!r} exists; PUT a new version")
        agreement = _agreement(command.id, 1, command)
        await _publish_agreement(service, agreement)
    return agreement


def _current(service: ConsentService, agreement_id: str, based_on: int | None) -> SharingAgreement:
    current = service.state.agreement(agreement_id)
    if current is None:
        raise NotFoundError("agreement_id", f"no agreement {agreement_id!r}")
    if current.status == "retired":
        raise ConflictError("status", f"agreement {agreement_id!r} is retired; create a new one")
    if based_on is not None and based_on != current.version:
        raise ConflictError(
            "based_on_version", f"version {current.version} is current, not {based_on}"
        )
    return current


async def version_agreement(
    service: ConsentService, agreement_id: str, draft: AgreementDraft, based_on: int | None = None
) -> SharingAgreement:
    """Publish version n+1 of an active agreement with new content."""
    _checked(draft, service)
    async with service.lock:
        current = _current(service, agreement_id, based_on)
        agreement = _agreement(agreement_id, current.version + 1, draft)
        await _publish_agreement(service, agreement)
    return agreement


async def retire_agreement(
    service: ConsentService, agreement_id: str, based_on: int | None = None
) -> SharingAgreement:
    """Publish version n+1 with status retired: no decision after it cites the agreement."""
    async with service.lock:
        current = _current(service, agreement_id, based_on)
        agreement = current.model_copy(update={"version": current.version + 1, "status": "retired"})
        await _publish_agreement(service, agreement)
    return agreement


def _directive(child_ref: str, command: RecordDirective, at: datetime) -> ConsentDirective:
    return ConsentDirective(
        id=command.id or f"dir-{uuid.uuid4().hex[:16]}",
        child_ref=child_ref,
        kind=command.kind,
        purpose=command.purpose,
        recipient=command.recipient,
        period=command.period,
        recorded_by=RecordedBy(role=command.recorded_by.role, agency=command.recorded_by.agency),
        recorded_at=at,
        note=command.note,
    )


async def publish_directive(
    service: ConsentService, directive: ConsentDirective
) -> VersionedDirective:
    """Publish the next version of a directive, then remember it (the caller holds the lock)."""
    current = service.state.directive(directive.child_ref, directive.id)
    version = 1 if current is None else current.version + 1
    await service.publisher.publish_directive(directive, version)
    service.state.apply_directive(directive, version)
    log.info("directive recorded", directive_id=directive.id, kind=directive.kind, version=version)
    return VersionedDirective(version, directive)


async def record_directive(
    service: ConsentService, child_ref: str, command: RecordDirective
) -> VersionedDirective:
    """Publish a child's directive (a known id records a new version of it), received now."""
    checked_child_ref(child_ref)
    _check_selector(command.recipient, "recipient", service.directory)
    if command.recorded_by.agency not in service.directory:
        raise InvalidRequestError(
            "recorded_by.agency", f"{command.recorded_by.agency!r} is not in the agency directory"
        )
    async with service.lock:
        return await publish_directive(service, _directive(child_ref, command, service.clock()))
