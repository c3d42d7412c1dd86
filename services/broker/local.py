"""Run Apache Kafka from its Maven Central jars: install, format, start, stop, status.

Recipe (DESIGN.md, "Kafka without Docker"): `mvn dependency:copy-dependencies`
on deploy/local/pom.xml caches the jars once; `kafka.tools.StorageTool format
--standalone` formats the data dir on first start; `kafka.Kafka` runs a single
combined broker+controller bound to 127.0.0.1. The process is tracked by a pid
file so `stop` only ever stops what `start` started. By default the broker is
secured (storage.py, security_files.py): SASL_SSL with SCRAM users made at
format time, ACLs enforced, and a controller that only the broker reaches.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from services.broker.exceptions import BrokerError, MissingToolError
from services.broker.ports import check_ports, ephemeral_port_range
from services.broker.probe import probe_local_broker
from services.broker.security_files import ensure_material
from services.broker.storage import (
    DEPLOY_DIR,
    SECURED,
    check_security_state,
    is_formatted,
    record_security,
    scram_arguments,
    security_in_force,
    write_properties,
)
from services.bus.exceptions import BrokerUnreachableError
from services.bus.settings import BusSettings

MIN_JAVA = 17


@dataclass(frozen=True)
class BrokerStatus:
    """What `status` reports."""

    running: bool
    pid: int | None
    bootstrap: str
    message: str


def _kafka_version() -> str:
    text = (DEPLOY_DIR / "pom.xml").read_text(encoding="utf-8")
    found = re.search(r"<kafka.version>([^<]+)</kafka.version>", text)
    if found is None:
        raise BrokerError(f"{DEPLOY_DIR / 'pom.xml'} does not set <kafka.version>")
    return found.group(1)


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        hint = "a Java 17+ runtime (e.g. apt install openjdk-17-jre-headless)"
        if name == "mvn":
            hint = "Apache Maven (e.g. apt install maven)"
        raise MissingToolError(f"`{name}` was not found on PATH: install {hint}")
    return path


def _check_java(java: str) -> None:
    result = subprocess.run(  # noqa: S603 - the resolved java binary, fixed arguments
        [java, "-version"], capture_output=True, text=True, check=False
    )
    out = result.stderr
    found = re.search(r'version "(\d+)', out)
    if found is None or int(found.group(1)) < MIN_JAVA:
        raise MissingToolError(f"Java {MIN_JAVA}+ is needed to run Kafka; found: {out.strip()}")


def _wait_for_port(port: int) -> None:
    """Raise OSError unless something listens on 127.0.0.1:`port` (quietly, no client logs)."""
    with socket.create_connection(("127.0.0.1", port), timeout=1.0):
        pass


class LocalBroker:
    """One local Kafka broker whose files live under `settings.home`."""

    def __init__(self, settings: BusSettings) -> None:
        self._settings = settings
        self._version = _kafka_version()
        self.libs = settings.home / f"kafka-{self._version}" / "libs"
        self.data_dir = settings.data_dir
        self.pid_file = self.data_dir / "broker.pid"
        self.log_file = self.data_dir / "server.log"
        self.properties = self.data_dir / "server.properties"

    @property
    def bootstrap(self) -> str:
        """Address clients use."""
        return f"127.0.0.1:{self._settings.broker_port}"

    def install(self) -> bool:
        """Resolve the broker's jars once; return True when they were fetched now."""
        if self.libs.is_dir() and any(self.libs.glob("kafka_2.13-*.jar")):
            return False
        mvn = _require_tool("mvn")
        partial = self.libs.with_name("libs.partial")
        shutil.rmtree(partial, ignore_errors=True)
        result = subprocess.run(  # noqa: S603 - fixed arguments, our own pom
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(DEPLOY_DIR / "pom.xml"),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={partial}",
                "-DincludeScope=runtime",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BrokerError(f"fetching Kafka jars with Maven failed:\n{result.stdout[-2000:]}")
        partial.rename(self.libs)
        return True

    def _java(self, main: str, *args: str, heap: str = "256m") -> list[str]:
        java = _require_tool("java")
        return [
            java,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            "-XX:+UseSerialGC",
            f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.data_dir}",
            "-cp",
            f"{self.libs}/*",
            main,
            *args,
        ]

    def _write_properties(self) -> None:
        write_properties(self._settings, self.properties)

    def _format_once(self) -> None:
        if is_formatted(self._settings):
            return
        record_security(self._settings)
        cmd = self._java(
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            # "=" form: a base64 id starting with "-" would read as an option (1 time in 64)
            f"--cluster-id={base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip('=')}",
            "-c",
            str(self.properties),
            *scram_arguments(self._settings),
        )
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise BrokerError(f"formatting broker storage failed: {result.stdout}{result.stderr}")

    def running_pid(self) -> int | None:
        """The pid from the pid file if that process is alive and is our broker."""
        try:
            pid = int(self.pid_file.read_text(encoding="utf-8").strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return None
        return pid if str(self.properties).encode() in cmdline else None

    def start(self, timeout_s: float = 60.0) -> tuple[bool, float]:
        """Start the broker unless running; return (started_now, seconds_taken)."""
        began = time.monotonic()
        check_ports(self._settings, ephemeral_port_range())
        if self.running_pid() is not None:
            return False, 0.0
        _check_java(_require_tool("java"))
        self.install()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        check_security_state(self._settings)
        if security_in_force(self._settings) == SECURED:
            ensure_material(self._settings)
        self._write_properties()
        self._format_once()
        with self.log_file.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603
                self._java("kafka.Kafka", str(self.properties), heap=self._settings.broker_heap),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid), encoding="utf-8")
        deadline = began + timeout_s
        while True:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise BrokerError(
                    f"the broker exited with code {process.returncode}; see {self.log_file}"
                )
            try:
                _wait_for_port(self._settings.broker_port)
                probe_local_broker(self._settings, timeout_s=2.0)
                return True, time.monotonic() - began
            except (BrokerUnreachableError, OSError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise BrokerError(
                        f"the broker did not answer within {timeout_s:g}s; see {self.log_file}"
                    ) from None
                time.sleep(0.5)

    def stop(self, timeout_s: float = 30.0) -> bool:
        """Stop the broker this pid file names; return False when none was running."""
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.running_pid() is not None:
            time.sleep(0.2)
        if self.running_pid() is not None:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> BrokerStatus:
        """Whether the broker runs and answers."""
        pid = self.running_pid()
        if pid is None:
            return BrokerStatus(
                running=False, pid=None, bootstrap=self.bootstrap, message="not running"
            )
        try:
            probe_local_broker(self._settings, timeout_s=3.0)
        except BrokerUnreachableError:
            return BrokerStatus(
                running=False,
                pid=pid,
                bootstrap=self.bootstrap,
                message=f"process {pid} is not answering",
            )
        return BrokerStatus(
            running=True, pid=pid, bootstrap=self.bootstrap, message=f"running (pid {pid})"
        )
