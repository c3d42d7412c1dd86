"""Routes for auditors on the audit index: search (paged), CSV export, subject access report."""

# No `from __future__ import annotations`: FastAPI must resolve the route
# annotations, which use aliases local to the route factory.
from collections.abc import Callable
from typing import Annotated, Any, Final, Literal

import structlog
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from consent.domain.codes import load_policy_codes
from services.audit.csv_stream import audit_csv_stream
from services.audit.index_filters import DecisionFilters
from services.audit.index_queries import MAX_PAGE_SIZE, PAGE_SIZE
from services.consent.audit import log_search, page_after, search_filters
from services.consent.commands import checked_child_ref
from services.consent.entrypoints.audit_models import DecisionPage
from services.consent.runtime import RuntimeSlot
from services.consent.subject_report import (
    SubjectAccessReport,
    report_csv,
    report_timeline,
    subject_access_report,
)
from services.consent.subject_report_html import report_html
from services.consent.users import User

log = structlog.get_logger("joinedup.consent")

AUDIT_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    401: {"description": "no or unknown bearer token"},
    403: {"description": "the role may not do this"},
    422: {
        "description": "a filter, the cursor or the child_ref breaks a rule: {error, field, rule}"
    },
    503: {"description": "the audit database does not answer; Retry-After says when to retry"},
}
# Pictures and reports are data, never code: nothing they hold may load or run anything.
PICTURE_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
REPORT_HEADERS: Final = {**PICTURE_HEADERS, "Content-Security-Policy": "default-src 'self'"}
REPORT_FORMATS: Final[dict[str, dict[str, Any]]] = {
    "text/csv": {},
    "text/html": {},
    "image/svg+xml": {},
}


def _child_ref(child_ref: Annotated[str, Path(max_length=200)]) -> str:
    """The URL's child_ref, checked: a 422 naming child_ref and its rule otherwise."""
    return checked_child_ref(child_ref)


def audit_search_routes(slot: RuntimeSlot, auditor: Callable[..., User]) -> APIRouter:
    """Search, export and subject access report; every route needs the auditor role."""
    routes = APIRouter(prefix="/v1/audit", tags=["audit"], responses=AUDIT_ERRORS)
    Auditor = Annotated[User, Depends(auditor)]  # noqa: N806 - a type alias, named like one
    Filters = Annotated[DecisionFilters, Depends(search_filters)]  # noqa: N806

    @routes.get(
        "/decisions",
        summary="Search the decisions (every filter optional, combined with AND), oldest first, "
        "a page at a time: pass next_cursor back as cursor for the next page",
    )
    async def search_decisions(
        _: Auditor,
        filters: Filters,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
    ) -> DecisionPage:
        page = await slot.get().index.search.page(filters, page_after(cursor), limit)
        log_search("audit searched", filters, len(page.rows))
        return DecisionPage.model_validate(
            {"count": len(page.rows), "decisions": page.rows, "next_cursor": page.next_cursor}
        )

    @routes.get(
        "/decisions.csv",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/csv": {}}, "description": "every match, as CSV"}},
        summary="Every decision the search matches, streamed as CSV (no cell is a formula)",
    )
    async def export_decisions(_: Auditor, filters: Filters) -> StreamingResponse:
        rows = await slot.get().index.search.export(filters)
        log_search("audit exported", filters)
        return StreamingResponse(
            audit_csv_stream(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit-decisions.csv"'},
        )

    @routes.get(
        "/children/{child_ref}/report",
        response_model=SubjectAccessReport,
        responses={200: {"content": REPORT_FORMATS, "description": "the report"}},
        summary="Subject access report: every decision about one child, a summary and a "
        "timeline (format json, csv, printable html, or the timeline alone as svg)",
    )
    async def subject_report(
        request: Request,
        _: Auditor,
        child_ref: Annotated[str, Depends(_child_ref)],
        format: Literal["json", "csv", "html", "svg"] = "json",  # noqa: A002 - the query's name
    ) -> Any:
        runtime = slot.get()
        rows = await runtime.index.search.of_child(child_ref)
        report = subject_access_report(
            child_ref, rows, runtime.service.directory, load_policy_codes(), runtime.service.clock()
        )
        log.info("subject access report produced", decisions=len(rows), format=format)
        if format == "csv":
            return Response(
                report_csv(report),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="subject-access.csv"'},
            )
        if format == "html":
            stylesheet = str(request.url_for("asset", name="report.css"))
            return HTMLResponse(report_html(report, stylesheet), headers=REPORT_HEADERS)
        if format == "svg":
            return Response(
                report_timeline(report), media_type="image/svg+xml", headers=PICTURE_HEADERS
            )
        return report

    return routes
