"""Errors of the database package."""

from services.exceptions import JoinedUpError


class DatabaseError(JoinedUpError):
    """Raised when the database cannot be started, stopped, reached or migrated."""


class MissingToolError(DatabaseError):
    """Raised when the PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed."""


class DatabasePortError(DatabaseError):
    """Raised when the local server's port lies in the OS's ephemeral port range."""


class DatabaseSettingsError(DatabaseError):
    """Raised when a database setting breaks its rule (e.g. an OS user name that is not one)."""
