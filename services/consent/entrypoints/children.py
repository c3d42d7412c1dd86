"""Routes for a child's consent directives, as JSON and as HL7 FHIR Consent (R5, R4)."""

# No `from __future__ import annotations`: FastAPI must resolve the route
# annotations, which use aliases local to the route factory.
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from pydantic import BaseModel

from consent.domain.directive import ConsentDirective
from consent.fhir import FhirVersion, directive_to_fhir_r4, directive_to_fhir_r5
from services.consent import handlers
from services.consent.commands import RecordDirective, checked_child_ref
from services.consent.entrypoints.agreements import ERRORS
from services.consent.fhir_import import import_fhir as import_documents
from services.consent.runtime import RuntimeSlot
from services.consent.state import VersionedDirective
from services.consent.users import User


def _child_ref(child_ref: Annotated[str, Path(max_length=200)]) -> str:
    """The URL's child_ref, checked: a 422 naming child_ref and its rule otherwise."""
    return checked_child_ref(child_ref)


ChildRef = Annotated[str, Depends(_child_ref)]


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


def children_routes(slot: RuntimeSlot, officer: Callable[..., User]) -> APIRouter:
    """A child's directives; every route needs the consent-officer role."""
    routes = APIRouter(prefix="/v1/children/{child_ref}", tags=["directives"], responses=ERRORS)
    Officer = Annotated[User, Depends(officer)]  # noqa: N806 - a type alias, named like one

    @routes.get("/directives", summary="A child's directives, oldest recorded first")
    async def list_directives(_: Officer, child_ref: ChildRef) -> list[DirectiveOut]:
        return [_out(held) for held in slot.get().service.state.directives_of(child_ref)]

    @routes.post(
        "/directives",
        status_code=201,
        summary="Record consent given/withdrawn or "
        "an objection (an existing id records its next version)",
    )
    async def record_directive(
        _: Officer, child_ref: ChildRef, command: RecordDirective
    ) -> DirectiveOut:
        return _out(await handlers.record_directive(slot.get().service, child_ref, command))

    @routes.get("/directives/fhir", summary="Export a child's directives as a FHIR Bundle")
    async def export_fhir(
        _: Officer, child_ref: ChildRef, version: FhirVersion = "R5"
    ) -> dict[str, Any]:
        return to_fhir_bundle(slot.get().service.state.directives_of(child_ref), version)

    @routes.post(
        "/directives/fhir",
        status_code=201,
        summary="Import a FHIR Consent, or a Bundle of them, as directives "
        "(every problem listed at once; dry_run: record nothing, say what would be)",
    )
    async def import_fhir(
        _: Officer,
        child_ref: ChildRef,
        document: Annotated[dict[str, Any], Body()],
        response: Response,
        version: FhirVersion = "R5",
        dry_run: Annotated[bool, Query()] = False,  # noqa: FBT002 - a query flag
    ) -> list[DirectiveOut]:
        service = slot.get().service
        held = await import_documents(service, child_ref, document, version, dry_run=dry_run)
        if dry_run:
            response.status_code = 200
        return [_out(h) for h in held]

    return routes
