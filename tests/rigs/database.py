"""PostgreSQL for the tests: the session's server, and a fresh migrated database per test.

The server is `JOINEDUP_DATABASE_URL`'s when set (it must answer), otherwise
the local one, started through the same code as `joinedup db start` and
stopped at the end only when this session started it. A server that cannot be
had FAILS the tests with the reason; it never skips them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql

from services.database.local import MAINTENANCE_DB, LocalDatabase
from services.database.migrate import upgrade
from services.database.settings import DatabaseSettings
from services.exceptions import JoinedUpError


@contextmanager
def running_database() -> Iterator[DatabaseSettings]:
    """Settings of an answering server; the local one is started (and later stopped) if needed."""
    settings = DatabaseSettings()
    if not settings.uses_local_server:
        try:
            with psycopg.connect(settings.url(), connect_timeout=10):
                pass
        except psycopg.Error as exc:
            pytest.fail(
                f"tests need PostgreSQL: {settings.describe()} does not answer ({exc})",
                pytrace=False,
            )
        yield settings
        return
    server = LocalDatabase(settings)
    try:
        started, _ = server.start()
    except JoinedUpError as exc:
        pytest.fail(f"tests need PostgreSQL; starting the local one failed: {exc}", pytrace=False)
    try:
        yield settings
    finally:
        if started:
            server.stop()


@contextmanager
def fresh_database(settings: DatabaseSettings) -> Iterator[str]:
    """A new database `test_<hex>` on the server, migrated; dropped (WITH (FORCE)) afterwards."""
    name = f"test_{uuid.uuid4().hex}"
    with psycopg.connect(settings.url(MAINTENANCE_DB), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = settings.url(name)
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(settings.url(MAINTENANCE_DB), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
