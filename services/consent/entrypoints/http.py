"""The consent service's FastAPI app: API under /v1, the consent officers' page at /."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from importlib import resources
from typing import Final

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.consent.entrypoints.agreements import agreement_routes
from services.consent.entrypoints.audit_search import audit_search_routes
from services.consent.entrypoints.auth import guard
from services.consent.entrypoints.children import children_routes
from services.consent.entrypoints.errors import error_body, install_error_handlers
from services.consent.entrypoints.identity import identity_routes
from services.consent.entrypoints.override_review import override_routes
from services.consent.entrypoints.oversight import oversight_routes
from services.consent.entrypoints.oversight_views import oversight_view_routes
from services.consent.runtime import RuntimeSlot
from services.consent.users import UserDirectory
from services.observability.http import observe
from services.observability.readiness import Check, Readiness

# The page loads nothing from elsewhere: no CDN, no inline script.
PAGE_HEADERS: Final = {
    # img-src blob:: the page shows the API's SVG pictures, fetched with the bearer token.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob:; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
ASSETS: Final = {
    "app.js": "text/javascript",
    "audit.js": "text/javascript",
    "style.css": "text/css",
    "report.css": "text/css",
}


def _asset(name: str) -> str:
    return resources.files("services.consent.web").joinpath(name).read_text("utf-8")


MAX_BODY_BYTES = 262_144


def build_http_app(
    slot: RuntimeSlot,
    users: UserDirectory,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    checks: Sequence[Check] = (),
) -> FastAPI:
    """The app; `slot` is filled by `lifespan` once state is rebuilt (or by tests).

    /readyz checks the audit index's database and `checks` (the broker, the registry).
    """
    app = FastAPI(
        title="Joined-up consent service",
        version="1",
        description="Sharing agreements, consent directives, dry runs, audit search, subject "
        "access reports and the review of safeguarding overrides. Bearer tokens; roles "
        "consent-officer, auditor, ig-lead and identity-steward (docs/audit.md).",
        lifespan=lifespan,
    )
    install_error_handlers(app)

    @app.middleware("http")
    async def refuse_large_bodies(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # An agreement or a directive is kilobytes; one Kafka record holds at most ~1 MB.
        declared = request.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return error_body(413, "body", f"must be at most {MAX_BODY_BYTES} bytes")
        return await call_next(request)

    officer = guard(users, "consent-officer")
    auditor = guard(users, "auditor")
    anyone = guard(users, None)
    app.include_router(agreement_routes(slot, officer, anyone))
    app.include_router(children_routes(slot, officer))
    app.include_router(oversight_routes(slot, officer, auditor, anyone))
    overseer = guard(users, "auditor", "ig-lead")
    app.include_router(audit_search_routes(slot, auditor))
    app.include_router(override_routes(slot, guard(users, "ig-lead"), overseer))
    app.include_router(oversight_view_routes(slot, overseer))
    app.include_router(identity_routes(slot, guard(users, "identity-steward")))

    @app.get("/", include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(_asset("index.html"), headers=PAGE_HEADERS)

    @app.get("/static/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in ASSETS:
            return error_body(404, "name", f"no asset {name!r}")
        return Response(_asset(name), media_type=ASSETS[name], headers=PAGE_HEADERS)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> JSONResponse:
        """200 while the service answers (liveness); its dependencies are /readyz's."""
        return JSONResponse({"status": "ok"})

    async def database() -> None:
        if not await slot.get().index.answers():
            msg = "the audit index's database does not answer"
            raise ConnectionError(msg)

    observe(app, "consent", Readiness([Check("database", database), *checks]))

    return app
