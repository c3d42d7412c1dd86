"""Alembic's environment: run the migrations on the connection `migrate.upgrade` passes."""

from __future__ import annotations

from alembic import context


def run_migrations_online() -> None:
    """Run the migrations in the caller's transaction (services.database.migrate)."""
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
