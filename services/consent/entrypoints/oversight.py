"""Routes for dry runs (consent officers), audit search and verification (auditors)."""

# No `from __future__ import annotations`: FastAPI must resolve the route
# annotations, which use aliases local to the route factory.
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel

from consent.domain.agency import Agency
from consent.domain.agreement import CONDITIONS
from consent.domain.codes import load_policy_codes
from consent.domain.event import DATA_CLASSES
from services.audit.csv_stream import audit_csv_stream
from services.audit.index_filters import DecisionFilters
from services.consent.audit import search_answer, search_audit
from services.consent.dry_run import DryRunRequest, DryRunResult, dry_run
from services.consent.entrypoints.agreements import ERRORS
from services.consent.runtime import RuntimeSlot
from services.consent.users import User


class Reference(BaseModel):
    """What the forms of the web page offer to choose from."""

    user: str
    roles: list[str]
    agencies: list[Agency]
    event_types: list[str]
    purposes: dict[str, str]
    legal_bases: dict[str, str]
    conditions: list[str]
    data_classes: list[str]


def oversight_routes(
    slot: RuntimeSlot,
    officer: Callable[..., User],
    auditor: Callable[..., User],
    anyone: Callable[..., User],
) -> APIRouter:
    """Dry run, audit search, chain verification and reference lists."""
    routes = APIRouter(prefix="/v1", responses=ERRORS)
    Officer = Annotated[User, Depends(officer)]  # noqa: N806 - a type alias, named like one
    Auditor = Annotated[User, Depends(auditor)]  # noqa: N806
    Anyone = Annotated[User, Depends(anyone)]  # noqa: N806

    @routes.get("/reference", tags=["reference"], summary="Who is signed in, and the code lists")
    async def reference(user: Anyone) -> Reference:
        service = slot.get().service
        codes = load_policy_codes()
        return Reference(
            user=user.name,
            roles=sorted(user.roles),
            agencies=list(service.directory.agencies),
            event_types=sorted(service.event_types),
            purposes={code: p.label for code, p in codes.purposes.items()},
            legal_bases={code: b.label for code, b in codes.legal_bases.items()},
            conditions=list(CONDITIONS),
            data_classes=list(DATA_CLASSES),
        )

    @routes.post(
        "/dry-run",
        tags=["dry run"],
        summary="Who would see which fields of this event, and why (nothing published)",
    )
    async def post_dry_run(request: DryRunRequest, _: Officer) -> DryRunResult:
        runtime = slot.get()
        return dry_run(runtime.service, request, runtime.field_classes)

    @routes.get(
        "/audit",
        tags=["audit"],
        response_model=None,
        responses={503: {"description": "the audit database does not answer (Retry-After)"}},
        summary="Disclosure decisions by child_ref and/or recipient: the first 1,000 as JSON "
        "(next_cursor continues at /v1/audit/decisions), or all as CSV",
    )
    async def audit(
        _: Auditor,
        child_ref: Annotated[str | None, Query(max_length=200)] = None,
        recipient: Annotated[str | None, Query(max_length=63)] = None,
        format: Literal["json", "csv"] = "json",  # noqa: A002 - the query parameter's name
    ) -> dict[str, Any] | Response:
        index = slot.get().index
        page = await search_audit(index, child_ref, recipient)
        if format == "csv":
            name = "audit-" + ("child" if child_ref else "recipient") + ".csv"
            filters = DecisionFilters(child_ref=child_ref or None, recipient=recipient or None)
            return StreamingResponse(
                audit_csv_stream(await index.search.export(filters)),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        return search_answer(page, child_ref=child_ref, recipient=recipient)

    @routes.get("/audit/verify", tags=["audit"], summary="Verify the audit trail's hash chains")
    async def verify(_: Auditor) -> dict[str, Any]:
        return await slot.get().audit.verify()

    return routes
