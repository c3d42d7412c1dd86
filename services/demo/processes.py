"""The bus's services as child processes of the demo, each from its own CLI command."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.demo.exceptions import DemoError


@dataclass
class Services:
    """Starts `joinedup <service> ...` processes; stops every one it started."""

    logs: Path
    env: dict[str, str]
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str, client_file: Path | None = None) -> None:
        """Start one service (as the principal of `client_file` when given), logging to a file.

        Its output goes to `<logs>/<name>.log`.
        """
        self.logs.mkdir(parents=True, exist_ok=True)
        env = dict(self.env)
        if client_file is not None:
            env["JOINEDUP_KAFKA_CLIENT_FILE"] = str(client_file)
        with (self.logs / f"{name}.log").open("ab") as log:
            self.running[name] = subprocess.Popen(  # noqa: S603 - our own CLI
                [sys.executable, "-m", "services", *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_healthy(self, name: str, url: str, timeout_s: float = 90.0) -> None:
        """Wait until `url` answers 2xx; fail with the log's tail if the process exits."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            process = self.running[name]
            if process.poll() is not None:
                raise DemoError(f"{name} exited with {process.returncode}: {self.tail(name)}")
            try:
                if httpx.get(url, timeout=1.0).is_success:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise DemoError(f"{name} did not answer at {url} within {timeout_s:g}s: {self.tail(name)}")

    def check_running(self) -> None:
        """Fail, naming it and with its log's tail, if a service has exited."""
        for name, process in self.running.items():
            if process.poll() is not None:
                raise DemoError(f"{name} exited with {process.returncode}: {self.tail(name)}")

    def tail(self, name: str, lines: int = 15) -> str:
        """The end of a service's log."""
        path = self.logs / f"{name}.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop_all(self) -> None:
        """Terminate every service started here, newest first, and wait for each."""
        for process in reversed(list(self.running.values())):
            if process.poll() is None:
                process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()
