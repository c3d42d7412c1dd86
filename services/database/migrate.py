"""Bring a database's schema to the newest migration (alembic, run in process).

The migration scripts live in this package (`migrations/versions`), so an
installed wheel migrates as a checkout does. `upgrade` holds a
transaction-scoped advisory lock while it runs: two processes starting at
once (the indexer and the consent service) migrate one after the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK: Final = 0x4A55_4D49_4752_4154  # advisory lock key of schema migrations


def upgrade(url: str, revision: str = "head") -> None:
    """Apply every migration up to `revision` to the database at conninfo `url`."""
    engine = create_engine(
        "postgresql+psycopg://", creator=lambda: psycopg.connect(url), poolclass=NullPool
    )
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at (None before the first migration)."""
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('alembic_version')").fetchone()
        if exists is None or exists[0] is None:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else str(row[0])
