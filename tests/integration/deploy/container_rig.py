"""The kafka container's own script, run on this machine: Kafka's classes from the cached jars.

No Docker engine here, so the image's `/opt/kafka/bin` scripts are stood in for by
scripts that run the same classes from the jars the local broker caches, and the
container's paths are replaced by a test's tmp dirs. The rest of the script (its
shell, its `$$` escapes, the format-once test, the SCRAM users) runs as written.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

from rigs.compose import kafka_script

from services.broker.storage import DEPLOY_DIR

SILENT = 0  # librdkafka log level: refused sign-ins are the point of some tests


def java() -> str:
    """The java binary (the suite needs Java 17+ for its brokers anyway)."""
    found = shutil.which("java")
    assert found is not None, "java is needed on PATH"
    return found


def java_command(libs: Path, main: str, logs: Path) -> list[str]:
    """Run `main` from the cached jars, logging under `logs`."""
    return [
        java(),
        "-Xms256m",
        "-Xmx256m",
        "-XX:+UseSerialGC",
        f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={logs}",
        "-cp",
        f"{libs}/*",
        main,
    ]


def stand_in_bin(directory: Path, libs: Path, *, start: str | None = None) -> Path:
    """`kafka-storage.sh` and `kafka-server-start.sh` of the image, from the cached jars.

    `start` replaces the server's start with a command of the test's (None: start Kafka).
    """
    directory.mkdir(parents=True)
    logs = directory.parent
    scripts = {
        "kafka-storage.sh": shlex.join(java_command(libs, "kafka.tools.StorageTool", logs)),
        "kafka-server-start.sh": start or shlex.join(java_command(libs, "kafka.Kafka", logs)),
    }
    for name, command in scripts.items():
        path = directory / name
        path.write_text(f'#!/bin/bash\nexec {command} "$@"\n', encoding="utf-8")
        path.chmod(0o755)
    return directory


def local_script(compose: dict[str, Any], bin_dir: Path, security: Path, data: Path) -> str:
    """The kafka container's script with its image and volume paths replaced by local ones."""
    script = kafka_script(compose)
    for container, local in (
        ("/opt/kafka/bin/", f"{bin_dir}/"),
        ("/security/", f"{security}/"),
        ("/var/lib/kafka/data", str(data)),
    ):
        assert container in script, container
        script = script.replace(container, local)
    return script


def run_script(script: str) -> subprocess.CompletedProcess[str]:
    """Run a script as the container does (`/bin/bash -c`), to its end."""
    return subprocess.run(
        ["/bin/bash", "-c", script], capture_output=True, text=True, check=False, timeout=120
    )


def client_options(client_file: dict[str, str], port: int, **more: Any) -> dict[str, Any]:
    """librdkafka options: a client file's properties, the local listener, quiet."""
    return {
        "bootstrap.servers": f"localhost:{port}",
        "broker.address.family": "v4",
        "log_level": SILENT,
        **client_file,
        **more,
    }
