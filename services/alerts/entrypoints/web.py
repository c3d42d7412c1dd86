"""HTTP routes: the board page, sign-in, the JSON API and the SSE feed.

Routes only translate HTTP into the use cases of `services.alerts.handlers`;
the signed-in user's agency scopes every answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from services.alerts import handlers
from services.alerts.domain.model import Alert
from services.alerts.domain.users import PARTNERSHIP_ANALYST, DutyUser
from services.alerts.entrypoints import pages, referral_pages
from services.alerts.entrypoints.auth import SESSION_COOKIE, Authenticator
from services.alerts.entrypoints.bodies import declared_too_large, read_at_most
from services.alerts.entrypoints.feed import FeedHub, sse_stream
from services.alerts.entrypoints.referral_routes import add_referral_routes
from services.alerts.exceptions import (
    AlertsError,
    BusUnavailableError,
    DisagreementRefusedError,
    ForbiddenError,
    UnauthenticatedError,
    UnknownAlertError,
    UnknownReferralError,
)
from services.alerts.referral_handlers import ReferralsContext
from services.observability.http import observe
from services.observability.readiness import Check, Readiness

STATIC = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_STATUS: dict[type[AlertsError], int] = {
    UnauthenticatedError: 401,
    ForbiddenError: 403,
    UnknownAlertError: 404,
    UnknownReferralError: 404,
    DisagreementRefusedError: 409,
    BusUnavailableError: 503,
}
RETRY_AFTER_S = "5"
MAX_SIGNIN_BODY = 4096


class ErrorBody(BaseModel):
    """Every error of the API: one sentence naming the field or the rule."""

    error: str


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error responses of a route (OpenAPI), from the ones below."""
    return {status: {"model": ErrorBody, "description": _ERROR_TEXT[status]} for status in statuses}


_ERROR_TEXT: dict[int, str] = {
    401: "no session or bearer token, or an unknown one",
    403: "another agency's alerts, or a role that may not do this",
    404: "no such alert on this agency's board (or referral among its referrals)",
    409: "no decision to disagree with yet, or a disagreement about it is already open",
    422: "a field breaks a rule: {error}",
    503: "the bus did not confirm the write in time; retry after Retry-After seconds",
}


class AssignRequest(BaseModel):
    """Who to assign an alert to."""

    assignee: str


@dataclass(frozen=True)
class _Parts:
    ctx: handlers.AlertsContext
    auth: Authenticator
    hub: FeedHub
    secure_cookies: bool
    referrals: ReferralsContext | None = None

    def user(self, request: Request) -> DutyUser:
        who = self.auth.user_of(request, request.method)
        if who.role == PARTNERSHIP_ANALYST:
            raise ForbiddenError("a partnership analyst sees the partnership's aggregates only")
        return who

    def landing(self, request: Request) -> Response:
        """The duty page: the agency's alerts, then its referrals when it has any.

        Not signed in: the sign-in page; a partnership analyst: the partnership page.
        """
        try:
            who = self.auth.user_of(request, request.method)
        except UnauthenticatedError:
            return RedirectResponse("/signin", status_code=303)
        if who.role == PARTNERSHIP_ANALYST:
            return RedirectResponse("/partnership", status_code=303)
        alerts = handlers.list_alerts(self.ctx, who)
        listed = self.referrals.book.of(who.agency) if self.referrals else []
        section = referral_pages.referrals_section(listed)
        return HTMLResponse(pages.board_page(who, alerts, self.ctx.clock(), section))

    def shown(self, alert: Alert, who: DutyUser) -> dict[str, Any]:
        now = self.ctx.clock()
        return {"alert": alert.as_json(now), "row": pages.alert_row(alert, who, now)}


def build_web_app(  # noqa: PLR0913 - the app's parts, the last two by keyword
    ctx: handlers.AlertsContext,
    auth: Authenticator,
    hub: FeedHub,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    *,
    secure_cookies: bool = False,
    referrals: ReferralsContext | None = None,
    checks: Sequence[Check] = (),
) -> FastAPI:
    """The alerts service's ASGI app; `referrals`: the referral loop's pages and API.

    /readyz asks `checks` (the broker, the registry); /metrics counts the
    alerts waiting on each board as it is scraped.
    """
    app = FastAPI(title="Joined-up alerts", lifespan=lifespan, docs_url=None, redoc_url=None)
    observe(app, "alerts", Readiness(checks), before_scrape=[lambda: handlers.count_waiting(ctx)])
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(AlertsError)
    async def alerts_error(_request: Request, exc: Exception) -> JSONResponse:
        status = next((s for t, s in _STATUS.items() if isinstance(exc, t)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if status == 503:
            headers = {"Retry-After": RETRY_AFTER_S}
        return JSONResponse({"error": str(exc)}, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        # The default answer echoes the input, which may not even be JSON (NaN, lone
        # surrogates): name the field and the rule only.
        problems = exc.errors() if isinstance(exc, RequestValidationError) else []
        first = problems[0] if problems else {"loc": ("body",), "msg": "invalid request"}
        field = ".".join(str(part) for part in first.get("loc", ("body",)))
        return JSONResponse({"error": f"{field}: {first.get('msg', 'invalid')}"}, status_code=422)

    parts = _Parts(ctx, auth, hub, secure_cookies, referrals)
    if referrals is not None:
        add_referral_routes(app, auth, referrals, _errors(401, 403, 404, 409, 422, 503))
    _page_routes(app, parts)
    _api_routes(app, parts)
    _feed_routes(app, parts)
    return app


def _page_routes(app: FastAPI, parts: _Parts) -> None:
    ctx, auth = parts.ctx, parts.auth

    @app.get("/", response_class=HTMLResponse, response_model=None)
    async def board(request: Request) -> Response:
        return parts.landing(request)

    @app.get("/signin", response_class=HTMLResponse)
    async def signin_form() -> HTMLResponse:
        return HTMLResponse(pages.signin_page())

    @app.post("/signin", response_class=HTMLResponse, response_model=None)
    async def signin(request: Request) -> Response:
        # A sign-in form is a few bytes: read at most MAX_SIGNIN_BODY + 1, never the whole body.
        raw = None
        if not declared_too_large(request.headers.get("content-length"), MAX_SIGNIN_BODY):
            raw = await read_at_most(request.stream(), MAX_SIGNIN_BODY)
        if raw is None:
            return HTMLResponse(pages.signin_page("That request is too large."), status_code=413)
        token = (parse_qs(raw.decode("utf-8", "replace")).get("token") or [""])[0]
        try:
            who = auth.users.authenticate(token)
        except UnauthenticatedError:
            return HTMLResponse(pages.signin_page("That token is not valid."), status_code=401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            auth.sessions.open(who),
            httponly=True,
            samesite="strict",
            secure=parts.secure_cookies,
        )
        return response

    @app.post("/signout")
    async def signout(request: Request) -> RedirectResponse:
        auth.sessions.close(request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/alerts/{alert_id}/evidence", response_class=HTMLResponse)
    async def evidence_panel(request: Request, alert_id: str) -> HTMLResponse:
        who = parts.user(request)
        found = handlers.find_alert(ctx, who, alert_id)
        items = handlers.evidence_of(ctx, who, alert_id)
        return HTMLResponse(pages.evidence_panel(found, items))


def _api_routes(app: FastAPI, parts: _Parts) -> None:
    ctx = parts.ctx

    @app.get("/api/me", responses=_errors(401))
    async def me(request: Request) -> dict[str, str]:
        who = parts.user(request)
        return {"id": who.id, "name": who.name, "agency": who.agency, "role": who.role}

    @app.get("/api/alerts", responses=_errors(401, 403, 422))
    async def alerts(request: Request, agency: str | None = None) -> dict[str, Any]:
        who = parts.user(request)
        if agency is not None and agency != who.agency:
            raise ForbiddenError("you may see only your own agency's alerts")
        now = ctx.clock()
        listed = handlers.list_alerts(ctx, who)
        return {"agency": who.agency, "alerts": [a.as_json(now) for a in listed]}

    @app.get("/api/alerts/{alert_id}", responses=_errors(401, 403, 404, 422))
    async def alert(request: Request, alert_id: str) -> dict[str, Any]:
        return handlers.find_alert(ctx, parts.user(request), alert_id).as_json(ctx.clock())

    @app.get("/api/alerts/{alert_id}/evidence", responses=_errors(401, 403, 404, 422))
    async def evidence(request: Request, alert_id: str) -> dict[str, Any]:
        items = handlers.evidence_of(ctx, parts.user(request), alert_id)
        shown = [
            {
                "event_id": i.event_id,
                "disclosed": i.disclosed and i.disclosed.model_dump(mode="json"),
            }
            for i in items
        ]
        return {"alert_id": alert_id, "evidence": shown}

    @app.post("/api/alerts/{alert_id}/acknowledge", responses=_errors(401, 403, 404, 422, 503))
    async def acknowledge(request: Request, alert_id: str) -> dict[str, Any]:
        who = parts.user(request)
        return parts.shown(await handlers.acknowledge_alert(ctx, who, alert_id), who)

    @app.post(
        "/api/alerts/{alert_id}/assign",
        response_model=None,
        responses=_errors(401, 403, 404, 422, 503),
    )
    async def assign(request: Request, alert_id: str, body: AssignRequest) -> Any:
        who = parts.user(request)
        try:
            changed = await handlers.assign_alert(ctx, who, alert_id, body.assignee)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return parts.shown(changed, who)


def _feed_routes(app: FastAPI, parts: _Parts) -> None:
    @app.get("/feed", responses=_errors(401))
    async def feed(request: Request) -> StreamingResponse:
        who = parts.user(request)
        stream = sse_stream(parts.hub, who.agency, request, lambda a: parts.shown(a, who))
        return StreamingResponse(
            stream, media_type="text/event-stream", headers={"X-Accel-Buffering": "no"}
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "agencies": list(parts.ctx.boards.agencies)}
