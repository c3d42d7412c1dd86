"""Run PostgreSQL from the Debian binaries: initialise, start, stop, status.

On first start `initdb` makes the data directory with SCRAM-SHA-256
authentication and a superuser password generated once (server_files.py);
the server listens on 127.0.0.1 only, on `JOINEDUP_DB_PORT`, with its unix
socket inside its data directory. `start` waits until it answers, creates the
audit index's database and applies the migrations. The server is found by
the pid PostgreSQL writes in its data directory, checked against the
process's command line, so `stop` only ever stops the server of these
settings.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from services.broker.ports import ephemeral_port_range
from services.database.exceptions import DatabaseError, DatabasePortError
from services.database.migrate import upgrade
from services.database.server_files import (
    as_server_user,
    ensure_password,
    find_binaries,
    prepare_data_dir,
    write_initdb_password,
)
from services.database.settings import LOCAL_HOST, SUPERUSER, DatabaseSettings

MAINTENANCE_DB = "postgres"


@dataclass(frozen=True)
class DatabaseStatus:
    """What `status` reports."""

    running: bool
    pid: int | None
    address: str
    message: str


def check_port(port: int, ephemeral: tuple[int, int]) -> None:
    """Refuse a server port inside the OS's `ephemeral` range (a client socket may hold it)."""
    low, high = ephemeral
    if low <= port <= high:
        msg = (
            f"JOINEDUP_DB_PORT is {port}, inside the OS's ephemeral port range {low}-{high} where "
            f"client sockets can take it while the server is down: set JOINEDUP_DB_PORT to a port "
            f"outside {low}-{high}"
        )
        raise DatabasePortError(msg)


class LocalDatabase:
    """One local PostgreSQL server whose data lives in `settings.data_dir`."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self._settings = settings
        self.data_dir = settings.data_dir
        self.log_file = self.data_dir / "server.log"

    @property
    def address(self) -> str:
        """Where the server listens (no credentials)."""
        return f"{LOCAL_HOST}:{self._settings.db_port}"

    def _run(self, command: list[str], what: str) -> None:
        result = subprocess.run(  # noqa: S603 - the server's own programs, fixed arguments
            as_server_user(self._settings, command), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()[-2000:]
            raise DatabaseError(f"{what} failed (exit {result.returncode}): {output}")

    def _initialise_once(self, initdb: str) -> None:
        if (self.data_dir / "PG_VERSION").is_file():
            return
        password = ensure_password(self._settings)
        password_file = write_initdb_password(self._settings, password)
        try:
            self._run(
                [
                    initdb,
                    f"--pgdata={self.data_dir}",
                    f"--username={SUPERUSER}",
                    f"--pwfile={password_file}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                "initialising the database directory (initdb)",
            )
        finally:
            password_file.unlink(missing_ok=True)

    def running_pid(self) -> int | None:
        """The server's pid from its data directory, if that process is alive and is ours."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text(encoding="utf-8").splitlines()
            pid = int(lines[0].strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            return None
        return pid if str(self.data_dir).encode() in cmdline else None

    def start(self, timeout_s: float = 60.0) -> tuple[bool, float]:
        """Start the server unless running, then make the database and migrate it.

        Return (started now, seconds taken).
        """
        began = time.monotonic()
        check_port(self._settings.db_port, ephemeral_port_range())
        started = False
        if self.running_pid() is None:
            binaries = find_binaries()
            prepare_data_dir(self._settings)
            self._initialise_once(binaries.tool("initdb"))
            self._settings.local_password()  # a data dir without its password file: say so now
            options = (
                f"-c listen_addresses={LOCAL_HOST} -c port={self._settings.db_port} "
                f"-c unix_socket_directories={self.data_dir}"
            )
            self._run(
                [
                    binaries.tool("pg_ctl"),
                    "start",
                    f"--pgdata={self.data_dir}",
                    f"--log={self.log_file}",
                    f"--timeout={int(timeout_s)}",
                    "--wait",
                    f"--options={options}",
                ],
                f"starting PostgreSQL (see {self.log_file})",
            )
            started = True
        self._wait_until_answering(began + timeout_s)
        ensure_database(self._settings)
        upgrade(self._settings.url())
        return started, time.monotonic() - began

    def _wait_until_answering(self, deadline: float) -> None:
        while True:
            try:
                with psycopg.connect(self._settings.url(MAINTENANCE_DB), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    msg = f"PostgreSQL at {self.address} did not answer; see {self.log_file}"
                    raise DatabaseError(msg) from None
                time.sleep(0.3)

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Stop the server of these settings; return False when none was running."""
        if self.running_pid() is None:
            return False
        pg_ctl = find_binaries().tool("pg_ctl")
        stop = [
            pg_ctl,
            "stop",
            f"--pgdata={self.data_dir}",
            "--wait",
            f"--timeout={int(timeout_s)}",
        ]
        self._run([*stop, "--mode=fast"], "stopping PostgreSQL")
        return True

    def status(self) -> DatabaseStatus:
        """Whether the server runs and answers."""
        pid = self.running_pid()
        if pid is None:
            return DatabaseStatus(
                running=False, pid=None, address=self.address, message="not running"
            )
        try:
            with psycopg.connect(self._settings.url(), connect_timeout=3):
                pass
        except (psycopg.OperationalError, DatabaseError):
            message = f"process {pid} is not answering"
            return DatabaseStatus(running=False, pid=pid, address=self.address, message=message)
        message = f"running (pid {pid})"
        return DatabaseStatus(running=True, pid=pid, address=self.address, message=message)


def ensure_database(settings: DatabaseSettings, name: str | None = None) -> bool:
    """Create database `name` (default `db_name`) unless it exists; True when created now."""
    name = name or settings.db_name
    with psycopg.connect(settings.url(MAINTENANCE_DB), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True
