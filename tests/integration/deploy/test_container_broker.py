"""The compose file's broker, run from security-init's files with Kafka's own classes."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from container_rig import (
    client_options,
    java_command,
    local_script,
    run_script,
    stand_in_bin,
)
from rigs.compose import load_compose, run_security_init, security_init_arguments
from rigs.ports import free_ports

from services.broker.deployment_files import Deployment, ensure_deployment
from services.broker.local import LocalBroker
from services.bus.security import read_client_file
from services.bus.settings import BusSettings

pytestmark = pytest.mark.integration

GATEWAY = "joinedup.gateway"
START_WITHIN_S = 90.0


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The compose file."""
    return load_compose()


@pytest.fixture(scope="module")
def libs() -> Path:
    """The Kafka jars the local broker caches (fetched once if missing)."""
    broker = LocalBroker(BusSettings())
    broker.install()
    return broker.libs


@dataclass(frozen=True)
class Running:
    """A broker started by the kafka container's script from security-init's files."""

    deployment: Deployment
    port: int

    def options(self, principal: str, **more: Any) -> dict[str, Any]:
        """librdkafka options of `principal`, from its client file."""
        path = self.deployment.files.client(principal)
        return client_options(read_client_file(path), self.port, **more)


def _wait_until_answering(process: subprocess.Popen[bytes], running: Running, log: Path) -> None:
    deadline = time.monotonic() + START_WITHIN_S
    admin = AdminClient(running.options("admin"))
    while True:
        if process.poll() is not None:
            pytest.fail(f"the broker exited {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            admin.list_topics(timeout=2)
        except KafkaException:
            if time.monotonic() > deadline:
                pytest.fail(f"the broker did not answer:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        else:
            return


@pytest.fixture(scope="module")
def broker(compose, libs, tmp_path_factory) -> Iterator[Running]:
    """The script started on free loopback ports, its volume mounted where it is written."""
    root = tmp_path_factory.mktemp("container")
    port, controller = free_ports(2)
    security, data = root / "security", root / "data"
    deployment = Deployment(
        security,
        ("localhost",),
        (GATEWAY,),
        mount_path=PurePosixPath(security),
        log_dirs=PurePosixPath(data),
        port=port,
        controller_port=controller,
        bind="127.0.0.1",
    )
    ensure_deployment(deployment)
    script = local_script(compose, stand_in_bin(root / "bin", libs), security, data)
    log = root / "script.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["/bin/bash", "-c", script], stdout=out, stderr=out)
    running = Running(deployment, port)
    try:
        _wait_until_answering(process, running, log)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_script_formats_the_storage_once_with_every_scram_user(compose, libs, tmp_path):
    """Compose's security-init files (log.dirs in tmp) format once, every user in the metadata."""
    security, data = tmp_path / "security", tmp_path / "data"
    run_security_init(security, *security_init_arguments(compose)[1:])
    server = security / "server.properties"
    server.write_text(
        server.read_text().replace("log.dirs=/var/lib/kafka/data\n", f"log.dirs={data}\n")
    )
    started = tmp_path / "started"
    bin_dir = stand_in_bin(tmp_path / "bin", libs, start=f"echo >> {started}")
    script = local_script(compose, bin_dir, security, data)

    first = run_script(script)
    meta = (data / "meta.properties").read_text()
    second = run_script(script)

    assert (first.returncode, second.returncode) == (0, 0), first.stdout + first.stderr
    assert "Formatting" in first.stdout
    assert "Formatting" not in second.stdout
    assert (data / "meta.properties").read_text() == meta
    assert started.read_text().split() == [str(server), str(server)]
    users = [line.split("name=")[1].split(",")[0] for line in (security / "scram-users").open()]
    checkpoint = (data / "bootstrap.checkpoint").read_bytes()
    assert len(users) >= 10
    assert [user for user in users if user.encode() not in checkpoint] == []


def test_the_admin_signs_in_and_creates_a_topic(broker):
    """admin's client file authenticates over TLS, and admin is a super user."""
    admin = AdminClient(broker.options("admin"))

    futures = admin.create_topics([NewTopic("made-by-admin", 1, 1)], request_timeout=15)
    futures["made-by-admin"].result(timeout=20)

    assert "made-by-admin" in admin.list_topics(timeout=10).topics


def test_a_service_signs_in_but_is_denied_without_acls(broker):
    """joinedup.gateway authenticates; with no ACL it sees no topic and creates none."""
    gateway = AdminClient(broker.options(GATEWAY))

    listed = gateway.list_topics(timeout=10)
    future = gateway.create_topics([NewTopic("made-by-gateway", 1, 1)], request_timeout=15)
    with pytest.raises(KafkaException) as refused:
        future["made-by-gateway"].result(timeout=20)

    assert "made-by-admin" not in listed.topics
    assert refused.value.args[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED


def test_a_wrong_password_is_refused(broker):
    """The right user with another password gets no metadata."""
    errors: list[KafkaError] = []
    options = broker.options(GATEWAY, **{"sasl.password": "not-the-password"})
    admin = AdminClient(options, error_cb=errors.append)

    with pytest.raises(KafkaException):
        admin.list_topics(timeout=3)
    admin.poll(0.5)

    assert KafkaError._AUTHENTICATION in {error.code() for error in errors}


def test_no_topic_is_created_on_first_use(broker):
    """Producing to a topic nobody created fails and leaves no topic behind."""
    failures: list[KafkaError] = []
    producer = Producer(broker.options("admin", **{"message.timeout.ms": 3000}))

    producer.produce("never-created", b"x", on_delivery=lambda error, _: failures.append(error))
    producer.flush(10)

    assert [error.code() for error in failures if error] == [KafkaError._MSG_TIMED_OUT]
    topics = AdminClient(broker.options("admin")).list_topics(timeout=10).topics
    assert "never-created" not in topics


def test_the_compose_health_check_passes(compose, broker, libs):
    """kafka's health check, with Kafka's ConfigCommand, signs in as admin and exits 0."""
    test = compose["services"]["kafka"]["healthcheck"]["test"]
    arguments = test[2:]
    arguments[arguments.index("kafka:9092")] = f"localhost:{broker.port}"
    tools = arguments.index("--command-config") + 1
    arguments[tools] = str(broker.deployment.tools_properties)
    logs = broker.deployment.directory.parent
    command = [*java_command(libs, "kafka.admin.ConfigCommand", logs), *arguments]

    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)

    assert test[1] == "/opt/kafka/bin/kafka-configs.sh"
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broker 1" in result.stdout
