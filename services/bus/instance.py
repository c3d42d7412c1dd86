"""Worker instance names: unique per host and process slot, stable across restarts.

A worker's transactional id is `<app-id>-<instance>`. Two workers with the
same id fence each other, so the default instance is `<host>-<slot>` where
the slot is the lowest number no live worker of the same app id on this host
holds (a lock file, released by the OS when the process dies). A restarted
worker takes its old slot back and so fences and aborts what its dead
predecessor left open.
"""

from __future__ import annotations

import fcntl
import re
import socket
from pathlib import Path
from typing import IO, Final

from services.bus.exceptions import BusError

MAX_SLOTS: Final = 64
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class InstanceClashError(BusError):
    """Raised when a worker instance name is already held by a live worker on this host."""


class InstanceSlot:
    """A held instance name; keep the object alive for as long as the worker runs."""

    def __init__(self, name: str, lock: IO[bytes], number: int = 0) -> None:
        """Hold `lock` for instance `name`; `number`: the free slot taken (0 when named)."""
        self.name = name
        self.number = number
        self._lock = lock

    def release(self) -> None:
        """Let another worker take the name."""
        self._lock.close()


def _try_lock(path: Path) -> IO[bytes] | None:
    handle = path.open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def claim_instance(home: Path, app_id: str, instance: str | None) -> InstanceSlot:
    """Hold `instance` (or the first free `<host>-<slot>`) for `app_id` on this host."""
    directory = home / "instances"
    directory.mkdir(parents=True, exist_ok=True)
    if instance is not None:
        lock = _try_lock(directory / f"{_UNSAFE.sub('_', app_id)}.{_UNSAFE.sub('_', instance)}")
        if lock is None:
            msg = (
                f"another {app_id} worker on this host already runs as instance {instance!r}; "
                "give each worker its own --instance (or none, to get a free one)"
            )
            raise InstanceClashError(msg)
        return InstanceSlot(instance, lock)
    host = _UNSAFE.sub("-", socket.gethostname()) or "host"
    for slot in range(MAX_SLOTS):
        name = f"{host}-{slot}"
        lock = _try_lock(directory / f"{_UNSAFE.sub('_', app_id)}.{name}")
        if lock is not None:
            return InstanceSlot(name, lock, slot)
    msg = f"{MAX_SLOTS} {app_id} workers already run on this host; no free instance slot"
    raise InstanceClashError(msg)
