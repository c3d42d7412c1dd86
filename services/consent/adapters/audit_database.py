"""The consent service's connection to the audit index: opened at start, or a clear refusal.

The database is `JOINEDUP_DATABASE_URL`'s, or the local one `joinedup db
start` runs (services/database). At start the schema is brought to the
newest migration (serialised with the indexer by an advisory lock) and a pool
is opened; a database that does not answer stops the start with one
sentence naming where it was looked for, never its password.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import psycopg
import sqlalchemy.exc
from psycopg_pool import PoolTimeout

from services.audit.index import AuditIndex
from services.audit.index_pool import index_pool
from services.consent.exceptions import ConsentStartError
from services.database.exceptions import DatabaseError
from services.database.migrate import upgrade
from services.database.settings import DatabaseSettings, describe_conninfo

HINT = "set JOINEDUP_DATABASE_URL, or run `joinedup db start` for the local one"


@dataclass(frozen=True)
class DatabaseTarget:
    """Which database to use: a conninfo, and how to name it in messages."""

    conninfo: str
    where: str

    @classmethod
    def configured(cls, conninfo: str | None = None) -> DatabaseTarget:
        """`conninfo` when given (tests), else the DatabaseSettings' database."""
        if conninfo is not None:
            return cls(conninfo, describe_conninfo(conninfo))
        settings = DatabaseSettings()
        try:
            return cls(settings.url(), settings.describe())
        except DatabaseError as exc:
            raise ConsentStartError(f"the audit database cannot be used: {exc}") from None


async def open_audit_index(
    target: DatabaseTarget, *, pool_size: int, timeout_s: float
) -> AuditIndex:
    """Migrate the audit database and open a pool on it; ConsentStartError when it is not there."""
    try:
        async with await psycopg.AsyncConnection.connect(
            target.conninfo, connect_timeout=max(1, int(timeout_s))
        ):
            pass
        await asyncio.to_thread(upgrade, target.conninfo)
    except (psycopg.Error, sqlalchemy.exc.SQLAlchemyError) as exc:
        # libpq's own words (never the password): "connection refused", "password authentication
        # failed for user ...", "database ... does not exist".
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
        raise ConsentStartError(
            f"the audit database at {target.where} cannot be used ({reason}): {HINT}"
        ) from None
    pool = index_pool(target.conninfo, max_size=pool_size, timeout_s=timeout_s)
    try:
        await pool.open(wait=True, timeout=timeout_s)
    except PoolTimeout:
        await pool.close()
        raise ConsentStartError(
            f"the audit database at {target.where} gave no connection in {timeout_s:g} s: {HINT}"
        ) from None
    return AuditIndex.on(pool)
