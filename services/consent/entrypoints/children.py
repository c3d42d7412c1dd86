"""Routes for a child's consent directives, as JSON and as HL7 FHIR Consent (R5, R4)."""

# No `from __future__ import annotations`: FastAPI must resolve the route
# annotations, which use aliases local to the route factory.
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel

from consent.domain.directive import ConsentDirective
from consent.fhir import (
    directive_from_fhir_r4,
    directive_from_fhir_r5,
    directive_to_fhir_r4,
    directive_to_fhir_r5,
)
from services.consent import handlers
from services.consent.commands import RecordDirective
from services.consent.entrypoints.agreements import ERRORS
from services.consent.exceptions import InvalidRequestError
from services.consent.runtime import RuntimeSlot
from services.consent.state import VersionedDirective
from services.consent.users import User

FhirVersion = Literal["R5", "R4"]
ChildRef = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-.=]+$")]


class DirectiveOut(BaseModel):
    """A directive with the version it was last recorded under."""

    version: int
    directive: ConsentDirective


def _out(held: VersionedDirective) -> DirectiveOut:
    return DirectiveOut(version=held.version, directive=held.directive)


def to_fhir_bundle(directives: list[VersionedDirective], version: FhirVersion) -> dict[str, Any]:
    """A FHIR `collection` Bundle of the directives as Consent resources."""
    export = directive_to_fhir_r5 if version == "R5" else directive_to_fhir_r4
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": export(held.directive)} for held in directives],
    }


def from_fhir(document: dict[str, Any], version: FhirVersion) -> list[ConsentDirective]:
    """The directives of one Consent resource or of a Bundle of them."""
    read = directive_from_fhir_r5 if version == "R5" else directive_from_fhir_r4
    if document.get("resourceType") == "Consent":
        return [read(document)]
    if document.get("resourceType") != "Bundle":
        raise InvalidRequestError("resourceType", "must be Consent or Bundle")
    entries = document.get("entry") or []
    if not isinstance(entries, list) or not entries:
        raise InvalidRequestError("entry", "a Bundle must hold at least one Consent")
    resources = [e.get("resource") if isinstance(e, dict) else None for e in entries]
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict) or resource.get("resourceType") != "Consent":
            raise InvalidRequestError(f"entry[{index}].resource", "must be a Consent resource")
    return [read(resource) for resource in resources if resource is not None]


def children_routes(slot: RuntimeSlot, officer: Callable[..., User]) -> APIRouter:
    """A child's directives; every route needs the consent-officer role."""
    routes = APIRouter(prefix="/v1/children/{child_ref}", tags=["directives"], responses=ERRORS)
    Officer = Annotated[User, Depends(officer)]  # noqa: N806 - a type alias, named like one

    @routes.get("/directives", summary="A child's directives, oldest recorded first")
    async def list_directives(child_ref: ChildRef, _: Officer) -> list[DirectiveOut]:
        return [_out(held) for held in slot.get().service.state.directives_of(child_ref)]

    @routes.post(
        "/directives",
        status_code=201,
        summary="Record consent given/withdrawn or "
        "an objection (an existing id records its next version)",
    )
    async def record_directive(
        child_ref: ChildRef, command: RecordDirective, _: Officer
    ) -> DirectiveOut:
        return _out(await handlers.record_directive(slot.get().service, child_ref, command))

    @routes.get("/directives/fhir", summary="Export a child's directives as a FHIR Bundle")
    async def export_fhir(
        child_ref: ChildRef, _: Officer, version: FhirVersion = "R5"
    ) -> dict[str, Any]:
        return to_fhir_bundle(slot.get().service.state.directives_of(child_ref), version)

    @routes.post(
        "/directives/fhir",
        status_code=201,
        summary="Import a FHIR Consent, or a Bundle of them, as directives",
    )
    async def import_fhir(
        child_ref: ChildRef,
        _: Officer,
        document: Annotated[dict[str, Any], Body()],
        version: FhirVersion = "R5",
    ) -> list[DirectiveOut]:
        directives = from_fhir(document, version)
        held = await handlers.import_directives(slot.get().service, child_ref, directives)
        return [_out(h) for h in held]

    return routes
