"""Fixtures for the consent page's browser tests: a broker, a database, the service, Chromium.

A missing broker or Chromium FAILS the tests with the reason; it never skips them.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

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


@dataclass(frozen=True)
class ConsentSite:
    """The running service: its base URL, its audit database and its topics."""

    url: str
    db_url: str
    topics: ConsentTopics


@pytest.fixture
def consent_site(bus_settings: BusSettings, audit_db_url: str) -> Iterator[ConsentSite]:
    """The consent service served by uvicorn in a thread, on unique topics and a fresh audit
    database (the packaged users: dev-token-<name>)."""
    suffix = uuid.uuid4().hex[:10]
    names = ConsentTopics(
        agreements=f"consent-agreements-{suffix}",
        directives=f"consent-directives-{suffix}",
        audit=f"audit-{suffix}",
        reviews=f"audit-reviews-{suffix}",
    )
    options = ConsentOptions(topics=names, database_url=audit_db_url)
    app = build_consent_service(bus_settings, InMemorySchemaSource(), options)
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
    yield ConsentSite(url, audit_db_url, names)
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def consent_url(consent_site: ConsentSite) -> str:
    """The running consent service's base URL."""
    return consent_site.url
