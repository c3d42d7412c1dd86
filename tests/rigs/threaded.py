"""Serve an ASGI app in a thread of its own, on a loopback port below the ephemeral range.

The app is built inside the thread's event loop (its Kafka clients belong to
that loop), as `joinedup <service> serve` builds it, so blocking clients such
as schemathesis, requests or httpx.Client can call it from the test's thread.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from rigs.ports import free_ports

START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


class ThreadedApp:
    """One app served by uvicorn in a background thread; `start()` waits until it answers."""

    def __init__(self, name: str, build: Callable[[], FastAPI]) -> None:
        self.name = name
        self._build = build
        [port] = free_ports(1)
        # IPPROTO_TCP named, so asyncio sets TCP_NODELAY on accepted connections (with
        # proto 0 it does not, and each response waits ~40 ms for a delayed ACK).
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server: uvicorn.Server | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"serve-{name}", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            config = uvicorn.Config(
                self._build(), log_level="warning", lifespan="on", timeout_graceful_shutdown=2
            )
            self._server = uvicorn.Server(config)
            await self._server.serve(sockets=[self._socket])

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - start() reports it in the test's thread
            self._error = exc

    @property
    def alive(self) -> bool:
        """True while the server thread runs."""
        return self._thread.is_alive()

    def start(self) -> ThreadedApp:
        """Start serving; raise with the reason when the app does not start in time."""
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while self._server is None or not self._server.started:
            if not self._thread.is_alive():
                msg = f"{self.name} stopped while starting: {self._error!r}"
                raise RuntimeError(msg) from self._error
            if time.monotonic() > deadline:
                msg = f"{self.name} did not start within {START_TIMEOUT_S:g}s"
                raise RuntimeError(msg)
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Ask the server to exit, wait for its thread, release the port."""
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(timeout=STOP_TIMEOUT_S)
        self._socket.close()
