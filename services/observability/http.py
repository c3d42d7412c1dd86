"""`/metrics`, `/readyz` and `/healthz`: on every HTTP service, and a small app for each worker.

`observe(app, service, readiness)` adds to a service's FastAPI app the
request counter (by route template, so a hostile path adds no series), the
metrics page and readiness. `probe_app` is the whole HTTP face of a stream
worker; `ProbeServer` binds it, failing at once when the port is taken.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import uvicorn
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.observability.exceptions import ProbePortError
from services.observability.metrics import Metrics, metrics
from services.observability.readiness import Readiness, is_ready

SERVICE_UNAVAILABLE = 503
UNMATCHED = "unmatched"  # the route label of a request no route matched (e.g. a 404)


class RequestMetrics:
    """ASGI middleware counting each request by method, route template and status."""

    def __init__(self, app: ASGIApp, service: str, registry: Metrics | None = None) -> None:
        """Count `app`'s requests as `service`'s."""
        self._app = app
        self._service = service
        self._metrics = registry or metrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; count it when answered (500 when the app raised)."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", UNMATCHED)
            m = self._metrics
            m.http_requests.labels(self._service, scope["method"], route, str(status)).inc()
            m.http_seconds.labels(self._service, route).observe(time.perf_counter() - started)


def observe(
    app: FastAPI,
    service: str,
    readiness: Readiness,
    before_scrape: Sequence[Callable[[], None]] = (),
) -> None:
    """Give `app` the request counter, `/metrics` and `/readyz`.

    `before_scrape`: brings gauges up to date (e.g. open alerts) just
    before the page is written.
    """
    app.add_middleware(RequestMetrics, service=service)
    app.add_api_route("/metrics", _metrics_page(readiness, before_scrape), include_in_schema=False)
    app.add_api_route("/readyz", _readiness_page(readiness), include_in_schema=False)


def probe_app(readiness: Readiness, alive: Callable[[], bool]) -> FastAPI:
    """A stream worker's HTTP face: /metrics, /readyz, and /healthz from `alive`."""
    app = FastAPI(title="Joined-up worker probes", openapi_url=None, docs_url=None)
    app.add_api_route("/metrics", _metrics_page(readiness, ()))
    app.add_api_route("/readyz", _readiness_page(readiness))

    async def healthz() -> JSONResponse:
        if alive():
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "stalled"}, status_code=SERVICE_UNAVAILABLE)

    app.add_api_route("/healthz", healthz)
    return app


class ProbeServer:
    """`app` served by uvicorn in a thread of its own (workers whose loop is busy or blocking)."""

    def __init__(self, app: FastAPI, host: str, port: int, setting: str) -> None:
        """Bind `host`:`port` now (ProbePortError naming `setting` when taken), serve on start."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))
        except OSError as exc:
            self._socket.close()
            msg = (
                f"cannot serve metrics and probes on {host}:{port} ({exc.strerror}): set {setting}"
            )
            raise ProbePortError(msg) from exc
        self.port = port
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="probes", daemon=True)

    def _serve(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket]))

    def start(self) -> ProbeServer:
        """Serve from now on."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port."""
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()


def _metrics_page(
    readiness: Readiness, before_scrape: Sequence[Callable[[], None]]
) -> Callable[[], Any]:
    async def page() -> Response:
        await readiness.report()  # joinedup_dependency_up as of this scrape
        for refresh in before_scrape:
            refresh()
        return Response(generate_latest(metrics().registry), media_type=CONTENT_TYPE_LATEST)

    return page


def _readiness_page(readiness: Readiness) -> Callable[[], Any]:
    async def readyz() -> JSONResponse:
        report = await readiness.report()
        if is_ready(report):
            return JSONResponse({"status": "ready", "checks": report})
        return JSONResponse(
            {"status": "not ready", "checks": report}, status_code=SERVICE_UNAVAILABLE
        )

    return readyz
