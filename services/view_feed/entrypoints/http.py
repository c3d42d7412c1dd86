"""The view feed's HTTP API: `GET /v1/views/{agency}` by cursor, with long-poll; health."""

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.observability.http import observe
from services.observability.readiness import Check, Readiness
from services.view_feed.domain.cursor import MAX_CHARS
from services.view_feed.exceptions import (
    CursorError,
    ForbiddenViewError,
    UnauthenticatedError,
    ViewUnavailableError,
)
from services.view_feed.handlers import PageRequest, ViewFeedContext, read_view_page

DEFAULT_LIMIT: Final = 100


class DisclosureOut(BaseModel):
    """One disclosure: the SDK's `Disclosure` as JSON (services/sdk/disclosure.py)."""

    event_id: str
    event_type: str = Field(description="Type of the disclosed event, e.g. AttendanceMarked")
    child_ref: str = Field(description="Pseudonymous child reference; never a raw identifier")
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    publisher: str = Field(description="Agency id of the publisher")
    system: str
    practitioner_role: str | None
    correlation_id: str | None
    recipient: str
    fields: dict[str, Any] = Field(description="The fields the agreement permits (JSON values)")
    agreement_id: str
    agreement_version: int
    legal_basis: str
    purpose: str
    consent_override: bool
    decided_at: dt.datetime
    partition: int
    offset: int


class UndecodableOut(BaseModel):
    """A record of the view that is not a readable disclosure (reported to the bus operators)."""

    partition: int
    offset: int
    reason: str


class ViewPageOut(BaseModel):
    """One page of a view; send `next_cursor` back as `cursor` for the next."""

    agency: str
    disclosures: list[DisclosureOut]
    undecodable: list[UndecodableOut]
    next_cursor: str


class ProblemOut(BaseModel):
    """One problem with a request: the field and the rule it breaks."""

    field: str
    rule: str


class ErrorOut(BaseModel):
    """Why a request was refused."""

    error: str
    problems: list[ProblemOut] | None = None


STATUS_OF: Final[dict[type[Exception], int]] = {
    UnauthenticatedError: 401,
    ForbiddenViewError: 403,
    CursorError: 422,
    RequestValidationError: 422,
    ViewUnavailableError: 503,
}
ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    401: {"model": ErrorOut, "description": "No bearer token, or one no view reader holds"},
    403: {"model": ErrorOut, "description": "The token reads another agency's view"},
    422: {"model": ErrorOut, "description": "A bad cursor, limit or wait (names the field)"},
    503: {"model": ErrorOut, "description": "The view cannot be read now (see Retry-After)"},
}


def _render(exc: Exception) -> JSONResponse:
    status = next(code for kind, code in STATUS_OF.items() if isinstance(exc, kind))
    body: dict[str, Any] = {"error": str(exc)}
    headers: dict[str, str] | None = None
    if isinstance(exc, RequestValidationError):
        # The offending input is never echoed back.
        body["error"] = "request rejected"
        body["problems"] = [
            {"field": ".".join(map(str, e["loc"][1:])) or "request", "rule": e["msg"]}
            for e in exc.errors()
        ]
    elif isinstance(exc, CursorError):
        body["problems"] = [{"field": exc.field, "rule": exc.rule}]
    elif isinstance(exc, UnauthenticatedError):
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(exc, ViewUnavailableError):
        headers = {"Retry-After": str(exc.retry_after_s)}
    return JSONResponse(body, status_code=status, headers=headers)


def build_routes(
    context: Callable[[], ViewFeedContext], max_page: int, max_wait_s: float
) -> APIRouter:
    """The routes, bound to the feed's context and its page and wait bounds."""
    routes = APIRouter(prefix="/v1")

    def own_view(agency: str, authorization: Annotated[str | None, Header()] = None) -> str:
        """The agency of the path, once the token proves it is the caller's own."""
        ctx = context()
        ctx.readers.authorize(ctx.readers.authenticate(authorization), agency)
        return agency

    @routes.get(
        "/views/{agency}",
        summary="Read your agency's view from a cursor; wait up to `wait` seconds for news",
        response_model=ViewPageOut,
        responses=ERRORS,
    )
    async def read_view(
        agency: Annotated[str, Depends(own_view)],
        cursor: Annotated[
            str | None,
            Query(max_length=MAX_CHARS, description="`next_cursor` of the last page; none: start"),
        ] = None,
        limit: Annotated[
            int, Query(ge=1, le=max_page, description="Most disclosures in this page")
        ] = DEFAULT_LIMIT,
        wait: Annotated[
            float,
            Query(ge=0, le=max_wait_s, description="Seconds to wait when nothing is new (0: none)"),
        ] = 0.0,
    ) -> JSONResponse:
        page = await read_view_page(context(), agency, PageRequest(agency, cursor, limit, wait))
        return JSONResponse(page.as_json())

    return routes


def build_http_app(
    context: Callable[[], ViewFeedContext],
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    *,
    max_page: int,
    max_wait_s: float,
    checks: Sequence[Check] = (),
) -> FastAPI:
    """The FastAPI app of the view feed (OpenAPI at /openapi.json, docs at /docs).

    /readyz asks `checks` (the broker, the registry); /healthz is liveness.
    """
    app = FastAPI(
        title="Joined-up view feed",
        version="1",
        description="Agency systems that cannot speak Kafka read what the bus disclosed to "
        "them here, page by page with an opaque cursor. Each bearer token reads exactly one "
        "agency's view.",
        lifespan=lifespan,
    )

    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return _render(exc)

    for kind in STATUS_OF:
        app.add_exception_handler(kind, handle)
    app.include_router(build_routes(context, max_page, max_wait_s))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        """200 while the feed is serving."""
        return JSONResponse({"status": "ok"})

    observe(app, "view-feed", Readiness(checks))

    return app
