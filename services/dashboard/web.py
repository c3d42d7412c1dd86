"""The dashboard's HTTP face: `GET /` draws every panel from Prometheus, `GET /healthz`.

The dashboard file is read again for every page, so an edited dashboard
shows at the next reload; a file that cannot be read is a page saying why
(status 500), naming the field. `draw_page` is also what
`joinedup dashboard snapshot` writes to a file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Final

from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse, JSONResponse

from services.dashboard.board import BoardOptions, Queries, gather_board
from services.dashboard.exceptions import DashboardFileError
from services.dashboard.page import REFRESH_S, error_page, render_page
from services.dashboard.panels import Dashboard
from services.dashboard.prometheus import PrometheusClient
from services.dashboard.scales import Window

DEFAULT_MINUTES: Final = 30
MOST_MINUTES: Final = 1440
SERVER_ERROR: Final = 500
HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Minutes = Annotated[
    int, Query(ge=1, le=MOST_MINUTES, description="How many minutes back the panels draw.")
]


def utc_now() -> datetime:
    """The time now, in UTC."""
    return datetime.now(UTC)


async def draw_page(
    dashboard: Dashboard,
    prometheus: Queries,
    options: BoardOptions,
    window: Window,
    *,
    refresh_s: int | None = REFRESH_S,
) -> str:
    """The page of `dashboard` over `window`, every panel's queries asked of `prometheus`."""
    rows = await gather_board(dashboard, prometheus, window, options)
    return render_page(dashboard.title, rows, window, refresh_s=refresh_s)


def build_dashboard_app(
    load: Callable[[], Dashboard],
    prometheus: PrometheusClient,
    options: BoardOptions,
    clock: Callable[[], datetime] = utc_now,
) -> FastAPI:
    """The app drawing `load()`'s dashboard from `prometheus` (closed when the app stops)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await prometheus.aclose()

    app = FastAPI(
        title="Joined-up operations dashboard",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )

    @app.get("/", response_class=HTMLResponse)
    async def board(minutes: Minutes = DEFAULT_MINUTES) -> HTMLResponse:
        """Every panel of the dashboard over the last `minutes`, reloading itself."""
        try:
            dashboard = load()
        except DashboardFileError as exc:
            return HTMLResponse(error_page(str(exc)), SERVER_ERROR, HEADERS)
        window = options.window(minutes, clock())
        page = await draw_page(dashboard, prometheus, options, window)
        return HTMLResponse(page, headers=HEADERS)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """The page server is up (Prometheus's state shows on the page itself)."""
        return JSONResponse({"status": "ok"})

    return app
