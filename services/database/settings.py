"""Where the audit index's PostgreSQL is, read from `JOINEDUP_*` environment variables.

Either an existing server (`JOINEDUP_DATABASE_URL`) or the local one that
`joinedup db start` runs from the Debian binaries. The local server's
superuser password is generated once and kept in a file beside its data
(mode 0600), so the conninfo is built when asked for, never stored in the
environment, and `describe()` is what logs and messages show.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.bus.settings import _default_home
from services.database.exceptions import DatabaseError

LOCAL_DB_PORT: Final = 15432
LOCAL_HOST: Final = "127.0.0.1"
SUPERUSER: Final = "postgres"
ROOT_DATA_PARENT: Final = Path("/var/lib/joinedup")
_OS_USER: Final = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
_DB_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class DatabaseSettings(BaseSettings):
    """Where the audit index's database is; frozen once read."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_", frozen=True, extra="ignore")

    database_url: SecretStr | None = Field(
        default=None,
        description="An existing PostgreSQL server for the audit index (libpq URL or conninfo); "
        "when set, no local server is started.",
    )
    db_port: int = Field(
        default=LOCAL_DB_PORT,
        description="Local PostgreSQL's port on 127.0.0.1 (outside the OS's ephemeral range).",
    )
    db_data_dir: Path | None = Field(
        default=None,
        description="Local PostgreSQL's data directory; unset: `<home>/db-data`, or "
        "`/var/lib/joinedup/<db_name>-db` when run as root.",
    )
    db_os_user: str = Field(
        default="joinedup-db",
        description="Unprivileged OS user that runs the local PostgreSQL when started as root "
        "(PostgreSQL refuses root); created when missing.",
    )
    db_name: str = Field(default="joinedup", description="Database holding the audit index.")
    home: Path = Field(default_factory=_default_home, description="Cache of jars and local state.")

    @field_validator("db_os_user")
    @classmethod
    def _os_user_name(cls, value: str) -> str:
        if not _OS_USER.fullmatch(value):
            msg = (
                f"JOINEDUP_DB_OS_USER {value!r} is not an OS user name: lower-case letters, "
                "digits, '_' and '-', starting with a letter or '_', at most 32 characters"
            )
            raise ValueError(msg)
        return value

    @field_validator("db_name")
    @classmethod
    def _database_name(cls, value: str) -> str:
        if not _DB_NAME.fullmatch(value):
            msg = (
                f"JOINEDUP_DB_NAME {value!r} is not a plain database name: lower-case letters, "
                "digits and '_', starting with a letter or '_', at most 63 characters"
            )
            raise ValueError(msg)
        return value

    @property
    def uses_local_server(self) -> bool:
        """True when no external server is configured."""
        return self.database_url is None

    @property
    def runs_as_root(self) -> bool:
        """True when this process is root, so the local server runs as `db_os_user`."""
        return os.geteuid() == 0

    @property
    def data_dir(self) -> Path:
        """The local server's data directory."""
        if self.db_data_dir is not None:
            return self.db_data_dir
        if self.runs_as_root:  # /root is mode 700: the server's own user could not reach it
            return ROOT_DATA_PARENT / f"{self.db_name}-db"
        return self.home / "db-data"

    @property
    def password_file(self) -> Path:
        """The local superuser's password, beside the data (mode 0600, the invoking user's)."""
        return self.data_dir.with_name(f"{self.data_dir.name}.password")

    def url(self, database: str | None = None) -> str:
        """The conninfo for psycopg: the external server's, or the local one's with its password.

        `database` names another database on the same server (default: `db_name`, or the
        external URL's own). Never log it: `describe()` is the printable form.
        """
        if self.database_url is not None:
            conninfo = self.database_url.get_secret_value()
            return make_conninfo(conninfo, dbname=database) if database else conninfo
        return make_conninfo(
            host=LOCAL_HOST,
            port=self.db_port,
            user=SUPERUSER,
            password=self.local_password(),
            dbname=database or self.db_name,
        )

    def local_password(self) -> str:
        """The local superuser's password, read from its file."""
        try:
            return self.password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            msg = (
                f"the local database's password file {self.password_file} cannot be read "
                f"({exc.strerror}): run `joinedup db start` first"
            )
            raise DatabaseError(msg) from None

    def describe(self, database: str | None = None) -> str:
        """Where the database is, without its password: safe for logs and messages."""
        if self.database_url is None:
            return f"postgresql://{LOCAL_HOST}:{self.db_port}/{database or self.db_name}"
        return describe_conninfo(self.database_url.get_secret_value())


def describe_conninfo(conninfo: str) -> str:
    """`conninfo` as host:port/dbname, without user or password."""
    try:
        parts = conninfo_to_dict(conninfo)
    except psycopg.Error:  # say nothing of what the string holds
        return "postgresql://(unparsable conninfo)"
    host, port, name = parts.get("host", ""), parts.get("port", "5432"), parts.get("dbname", "")
    return f"postgresql://{host}:{port}/{name}"
