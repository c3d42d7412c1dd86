"""Fixtures for the consent page's browser tests: a broker, the service, headless Chromium.

A missing broker or Chromium FAILS the tests with the reason; it never skips them.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from schemas.schema_source import InMemorySchemaSource
from services.bus.settings import BusSettings
from services.consent.adapters.topics import ConsentTopics
from services.consent.bootstrap import ConsentOptions, build_consent_service


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def consent_url(bus_settings: BusSettings) -> Iterator[str]:
    """The consent service served by uvicorn in a thread, on unique topics; its base URL."""
    suffix = uuid.uuid4().hex[:10]
    names = ConsentTopics(
        agreements=f"consent-agreements-{suffix}",
        directives=f"consent-directives-{suffix}",
        audit=f"audit-{suffix}",
    )
    app = build_consent_service(bus_settings, InMemorySchemaSource(), ConsentOptions(topics=names))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the consent service did not become ready", pytrace=False)
        time.sleep(0.2)
    yield url
    server.should_exit = True
    thread.join(timeout=15)
