"""What the local PostgreSQL needs from the OS: its binaries, its user, its data directory.

PostgreSQL refuses to run as root. Started by root, the server runs as an
unprivileged system user (`JOINEDUP_DB_OS_USER`, created without a login when
missing) through `runuser`, and its data lives where that user can reach it.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from services.database.exceptions import DatabaseError, MissingToolError
from services.database.settings import DatabaseSettings

DEBIAN_ROOT: Final = Path("/usr/lib/postgresql")
TOOLS: Final = ("initdb", "pg_ctl", "postgres")
INSTALL_HINT: Final = (
    "run `make db-deps` (or `apt-get install postgresql`), or point JOINEDUP_DATABASE_URL "
    "at an existing server"
)


@dataclass(frozen=True)
class ServerBinaries:
    """The directory holding the server's programs, and its major version."""

    bin_dir: Path
    version: int

    def tool(self, name: str) -> str:
        """The full path of program `name`."""
        return str(self.bin_dir / name)


def find_binaries(root: Path = DEBIAN_ROOT) -> ServerBinaries:
    """The newest Debian PostgreSQL installed under `root` (/usr/lib/postgresql/<major>/bin)."""
    found = []
    if root.is_dir():
        for folder in root.iterdir():
            bin_dir = folder / "bin"
            if re.fullmatch(r"\d+", folder.name) and all((bin_dir / t).is_file() for t in TOOLS):
                found.append(ServerBinaries(bin_dir, int(folder.name)))
    if not found:
        tools = ", ".join(TOOLS)
        raise MissingToolError(f"the PostgreSQL server ({tools}) is not installed: {INSTALL_HINT}")
    return max(found, key=lambda binaries: binaries.version)


def server_user(settings: DatabaseSettings) -> str | None:
    """The OS user the server runs as when this process is root (None: this process's user)."""
    return settings.db_os_user if settings.runs_as_root else None


def as_server_user(settings: DatabaseSettings, command: list[str]) -> list[str]:
    """`command` prefixed to run as the server's user when this process is root."""
    user = server_user(settings)
    if user is None:
        return command
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", user, "--", *command]


def ensure_os_user(name: str) -> pwd.struct_passwd:
    """The system user `name`, created (no login, no home) when missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    result = subprocess.run(  # noqa: S603 - a fixed program, a validated user name
        [
            useradd,
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            name,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        msg = f"creating the OS user {name!r} for PostgreSQL failed: {result.stderr.strip()}"
        raise DatabaseError(msg)
    return pwd.getpwnam(name)


def prepare_data_dir(settings: DatabaseSettings) -> None:
    """Make the data directory (mode 700), owned by the server's user, reachable by it."""
    data_dir = settings.data_dir
    user = server_user(settings)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(mode=0o700, exist_ok=True)
    if user is None:
        return
    account = ensure_os_user(user)
    if data_dir.stat().st_uid != account.pw_uid:
        os.chown(data_dir, account.pw_uid, account.pw_gid)
    probe = subprocess.run(  # noqa: S603 - fixed program, our own path
        as_server_user(settings, ["test", "-w", str(data_dir)]), check=False
    )
    if probe.returncode != 0:
        msg = (
            f"the OS user {user!r} cannot reach {data_dir} (a parent directory is closed to it, "
            "as /root is): set JOINEDUP_DB_DATA_DIR to a directory outside it"
        )
        raise DatabaseError(msg)


def ensure_password(settings: DatabaseSettings) -> str:
    """The superuser's password: read from its file, or generated once into it (mode 0600)."""
    path = settings.password_file
    if path.is_file():
        return settings.local_password()
    password = secrets.token_hex(24)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    return password


def write_initdb_password(settings: DatabaseSettings, password: str) -> Path:
    """A one-time password file initdb (as the server's user) can read; delete it after use."""
    path = settings.data_dir.with_name(f".{settings.data_dir.name}.initdb-{secrets.token_hex(4)}")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    user = server_user(settings)
    if user is not None:
        account = pwd.getpwnam(user)
        os.chown(path, account.pw_uid, account.pw_gid)
    return path
