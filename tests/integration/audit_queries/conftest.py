"""Fixtures of the audit query tests: the consent service on a database and topics of its own.

The service runs in the test's process (its lifespan entered by hand, no
socket) against the session's broker and a fresh migrated database per test
(tests/conftest.py). Its users file gives each role to a user of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from audit_queries_rig import ROLES, TOKENS

from schemas.schema_source import InMemorySchemaSource
from services.consent.adapters.topics import ConsentTopics
from services.consent.bootstrap import ConsentOptions, build_consent_service


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    """A users file: one user per role, each with that role only."""
    lines = ["users:"]
    for who, token in TOKENS.items():
        digest = hashlib.sha256(token.encode()).hexdigest()
        lines += [f"  - name: {who}", f"    roles: [{ROLES[who]}]", f"    token_sha256: {digest}"]
    path = tmp_path / "consent-users.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def topic_names(unique_name: Callable[[str], str]) -> ConsentTopics:
    """Topics of this test's own."""
    return ConsentTopics(
        agreements=unique_name("consent-agreements"),
        directives=unique_name("consent-directives"),
        audit=unique_name("audit"),
        reviews=unique_name("audit-reviews"),
    )


@pytest.fixture
def schema_source() -> InMemorySchemaSource:
    """The schema ids the service and the test's own codec share."""
    return InMemorySchemaSource()


@pytest.fixture
def consent_on_index(bus_settings, audit_db_url, topic_names, users_file, schema_source):
    """Start the consent service on the test's database and topics: `async with` it."""

    @asynccontextmanager
    async def running() -> AsyncIterator[httpx.AsyncClient]:
        options = ConsentOptions(
            users_file=users_file, topics=topic_names, database_url=audit_db_url
        )
        app = build_consent_service(bus_settings, schema_source, options)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://consent", timeout=60
            ) as client,
        ):
            yield client

    return running
