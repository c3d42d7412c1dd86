"""`joinedup db start|stop|status|migrate`: the audit index's PostgreSQL."""

from __future__ import annotations

import psycopg
import typer
from rich.console import Console

from services.database.exceptions import DatabaseError
from services.database.local import LocalDatabase
from services.database.migrate import current_revision, upgrade
from services.database.settings import DatabaseSettings

db_app = typer.Typer(help="Run the audit index's PostgreSQL (Debian binaries, no Docker needed).")
console = Console(stderr=True, soft_wrap=True)


def _probe(settings: DatabaseSettings) -> str:
    """The server version of the database in `settings`; DatabaseError when it does not answer."""
    try:
        with psycopg.connect(settings.url(), connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error as exc:
        msg = f"PostgreSQL at {settings.describe()} does not answer: {exc}"
        raise DatabaseError(msg) from None
    return str(row[0]) if row else "unknown"


def _external(settings: DatabaseSettings) -> bool:
    if settings.uses_local_server:
        return False
    version = _probe(settings)
    console.print(
        f"JOINEDUP_DATABASE_URL is set: using the server at {settings.describe()} "
        f"(PostgreSQL {version} answering); the local server is not used."
    )
    return True


@db_app.command()
def start() -> None:
    """Start the local PostgreSQL (initialised on first use); create and migrate the database."""
    settings = DatabaseSettings()
    if _external(settings):
        upgrade(settings.url())
        console.print(
            f"database {settings.describe()} migrated to {current_revision(settings.url())}"
        )
        return
    server = LocalDatabase(settings)
    started, seconds = server.start()
    if started:
        console.print(f"PostgreSQL ready at {server.address} (started in {seconds:.1f}s)")
    else:
        console.print(f"PostgreSQL already running at {server.address}: nothing to start")
    console.print(
        f"database {settings.describe()} at revision {current_revision(settings.url())}; "
        f"data in {settings.data_dir}, superuser password in {settings.password_file}"
    )


@db_app.command()
def stop() -> None:
    """Stop the local PostgreSQL that `start` started."""
    if LocalDatabase(DatabaseSettings()).stop():
        console.print("PostgreSQL stopped")
    else:
        console.print("No local PostgreSQL was running")


@db_app.command()
def status() -> None:
    """Say whether the database server runs and answers; exit 1 when it does not."""
    settings = DatabaseSettings()
    if _external(settings):
        return
    report = LocalDatabase(settings).status()
    console.print(f"PostgreSQL at {report.address}: {report.message}")
    if not report.running:
        raise typer.Exit(1)


@db_app.command()
def migrate() -> None:
    """Apply the audit index's migrations to the database (local or JOINEDUP_DATABASE_URL)."""
    settings = DatabaseSettings()
    _probe(settings)
    url = settings.url()
    before = current_revision(url)
    upgrade(url)
    console.print(f"database {settings.describe()}: revision {before} -> {current_revision(url)}")
