"""/metrics, /readyz and /healthz on a FastAPI app, and the request counter's labels."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from services.observability.exceptions import ProbePortError
from services.observability.http import ProbeServer, RequestMetrics, observe, probe_app
from services.observability.metrics import Metrics, metrics
from services.observability.readiness import Check, Readiness


async def refused() -> None:
    """A dependency that is down."""
    msg = "down"
    raise ConnectionRefusedError(msg)


async def answers() -> None:
    """A dependency that is up."""


def service(*checks: Check) -> FastAPI:
    """A small service with one route and the observability added."""
    app = FastAPI()

    @app.get("/v1/children/{child_ref}")
    async def child(child_ref: str) -> dict[str, str]:
        return {"child_ref": child_ref}

    observe(app, "test-service", Readiness(list(checks), reuse_s=0))
    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    """An HTTP client of `app`, in process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def requests(route: str, status: str) -> float:
    """The process's count of test-service's GETs of `route` answered `status`."""
    labels = {"service": "test-service", "method": "GET", "route": route, "status": status}
    return metrics().registry.get_sample_value("joinedup_http_requests_total", labels) or 0.0


async def test_requests_are_counted_by_route_template_not_by_path():
    """Two children, one series; a hostile unknown path goes to "unmatched"."""
    before = requests("/v1/children/{child_ref}", "200"), requests("unmatched", "404")
    async with client(service()) as http:
        await http.get("/v1/children/abc")
        await http.get("/v1/children/def")
        await http.get("/%3Cscript%3E/../../etc/passwd")

    after = requests("/v1/children/{child_ref}", "200"), requests("unmatched", "404")
    assert (after[0] - before[0], after[1] - before[1]) == (2, 1)


async def test_metrics_page_is_prometheus_text_with_the_project_metrics():
    """The page Prometheus scrapes: its content type and the project's families."""
    async with client(service()) as http:
        page = await http.get("/metrics")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE joinedup_http_requests_total counter" in page.text


async def test_readyz_is_503_naming_the_dependency_that_is_down():
    """Ready only when every dependency answers; the body says which did not."""
    async with client(service(Check("broker", answers), Check("database", refused))) as http:
        down = await http.get("/readyz")
    async with client(service(Check("broker", answers))) as http:
        up = await http.get("/readyz")

    assert (down.status_code, down.json()["checks"]) == (
        503,
        {"broker": "ok", "database": "unreachable (ConnectionRefusedError)"},
    )
    assert (up.status_code, up.json()["status"]) == (200, "ready")


async def test_a_worker_whose_loop_stalled_is_not_alive():
    """/healthz follows the liveness function; /readyz the dependencies, separately."""
    alive = {"now": True}
    app = probe_app(Readiness([Check("broker", answers)], reuse_s=0), lambda: alive["now"])
    async with client(app) as http:
        first = await http.get("/healthz")
        alive["now"] = False
        stalled = await http.get("/healthz")
        ready = await http.get("/readyz")

    assert (first.status_code, stalled.status_code, ready.status_code) == (200, 503, 200)


def test_a_probe_port_taken_is_refused_naming_the_setting():
    """A second server on a port in use fails at once, saying which setting to change."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        with pytest.raises(ProbePortError, match="JOINEDUP_ROUTER_PROBE_PORT"):
            ProbeServer(
                probe_app(Readiness([]), lambda: True),
                "127.0.0.1",
                port,
                "JOINEDUP_ROUTER_PROBE_PORT",
            )
    finally:
        holder.close()


def test_a_probe_server_answers_on_its_port_until_stopped():
    """Served from a thread of its own: the worker's loop may block."""
    finder = socket.socket()
    finder.bind(("127.0.0.1", 0))
    port = finder.getsockname()[1]
    finder.close()
    server = ProbeServer(probe_app(Readiness([]), lambda: True), "127.0.0.1", port, "X").start()
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        server.stop()

    assert answer.json() == {"status": "ok"}
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)


async def test_middleware_counts_a_crash_as_500():
    """An exception out of the app is still a request answered, as 500, in the figures."""
    m = Metrics(CollectorRegistry())

    async def crashing(_scope: object, _receive: object, _send: object) -> None:
        msg = "a bug"
        raise RuntimeError(msg)

    app = RequestMetrics(crashing, "crashy", registry=m)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        answer = await http.get("/anything")

    labels = {"service": "crashy", "method": "GET", "route": "unmatched", "status": "500"}
    assert answer.status_code == 500
    assert m.registry.get_sample_value("joinedup_http_requests_total", labels) == 1
