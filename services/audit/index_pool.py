"""The connection pool to the audit index's PostgreSQL, and its failures as audit errors.

The pool is opened by the service that owns it (the consent service's
start-up), never at import. A connection that cannot be had, or a query the
server drops, becomes `AuditIndexUnavailableError`: the caller answers 503.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final, TypeAlias

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from services.audit.exceptions import AuditIndexUnavailableError
from services.observability.readiness import Check

IndexPool: TypeAlias = AsyncConnectionPool[AsyncConnection[TupleRow]]
UNAVAILABLE: Final = "the audit index's database does not answer; try again shortly"


def index_pool(conninfo: str, *, max_size: int = 8, timeout_s: float = 10.0) -> IndexPool:
    """A pool on `conninfo`, not yet open (`await pool.open(wait=True)` connects)."""
    return AsyncConnectionPool(
        conninfo,
        min_size=1,
        max_size=max_size,
        timeout=timeout_s,
        open=False,
        name="audit-index",
        kwargs={"application_name": "joinedup-audit-index"},
    )


@asynccontextmanager
async def index_connection(pool: IndexPool) -> AsyncIterator[AsyncConnection[TupleRow]]:
    """A connection of `pool` for one unit of work; database failures become 503s."""
    try:
        async with pool.connection() as conn:
            yield conn
    except (psycopg.OperationalError, PoolTimeout) as exc:
        raise AuditIndexUnavailableError(UNAVAILABLE) from exc


async def index_answers(pool: IndexPool) -> bool:
    """Whether the index's database answers a trivial query now (for /healthz)."""
    try:
        async with index_connection(pool) as conn:
            await conn.execute("SELECT 1")
    except AuditIndexUnavailableError:
        return False
    return True


def database_check(url: str, timeout_s: float = 2.0) -> Check:
    """Readiness: the index's database at `url` answers a trivial query."""

    async def probe() -> None:
        connection = await AsyncConnection.connect(url, connect_timeout=max(1, int(timeout_s)))
        async with connection:
            await connection.execute("SELECT 1")

    return Check("database", probe)
