"""The demo's audit index: the local PostgreSQL, and the index caught up at the story's end."""

from __future__ import annotations

import psycopg

from schemas.codec import AvroCodec
from services.audit.indexer import AuditIndexer
from services.bus.settings import BusSettings
from services.database.local import LocalDatabase
from services.database.settings import DatabaseSettings


def ensure_database(settings: DatabaseSettings) -> str:
    """Start the local PostgreSQL (a no-op when it runs) or probe JOINEDUP_DATABASE_URL's."""
    if settings.uses_local_server:
        started, seconds = LocalDatabase(settings).start()
        note = f"started in {seconds:.1f}s" if started else "already running"
        return f"PostgreSQL at {settings.describe()} ({note})"
    with psycopg.connect(settings.url(), connect_timeout=10):
        pass
    return f"Using the PostgreSQL at {settings.describe()}"


def index_caught_up(settings: BusSettings, database: DatabaseSettings, codec: AvroCodec) -> int:
    """Index the audit topics up to their ends now (beside the running indexer); the row count.

    A second indexer is safe (each row is written once, index_writer.py), so
    this pass ends exactly when everything on the topics at this moment is in
    the index, whichever indexer wrote it.
    """
    AuditIndexer(settings, database.url(), codec).run(until_caught_up=True)
    with psycopg.connect(database.url()) as conn:
        row = conn.execute("SELECT count(*) FROM audit_decision").fetchone()
    return int(row[0]) if row else 0
