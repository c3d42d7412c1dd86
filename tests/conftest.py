"""Session fixture: a real Apache Kafka broker for every integration and e2e test.

Order of preference:
1. `JOINEDUP_TESTCONTAINERS=1` and a Docker engine: the official apache/kafka image.
2. `JOINEDUP_BOOTSTRAP_SERVERS` set: that cluster, which must answer.
3. Otherwise: the local broker from Maven jars, through the same code as
   `joinedup broker start`; stopped at the end only if this session started it.
A missing broker FAILS the tests with the reason; it never skips them.

Registries (the project's own, on a topic of the test's) run in-process
under uvicorn on a free loopback port and are stopped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
import uvicorn
from rigs.database import fresh_database, running_database

from services.broker.local import LocalBroker
from services.bus.kafka import probe_cluster
from services.bus.settings import BusSettings
from services.database.settings import DatabaseSettings
from services.exceptions import JoinedUpError
from services.registry.bootstrap import build_app

T = TypeVar("T")


def _testcontainers_kafka() -> Iterator[BusSettings]:
    from testcontainers.kafka import KafkaContainer  # noqa: PLC0415 - only with Docker

    with KafkaContainer("apache/kafka:4.1.1").with_kraft() as kafka:
        yield BusSettings(bootstrap_servers=kafka.get_bootstrap_server())


def _off_loop(work: Callable[[], T]) -> T:
    """Run blocking set-up in a thread of its own: the fixture may be set up while an
    async test's event loop runs, and asyncio.run cannot nest in it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


PROBE_PORT_SETTINGS = (
    "JOINEDUP_ROUTER_PROBE_PORT",
    "JOINEDUP_THRESHOLDS_PROBE_PORT",
    "JOINEDUP_INDEXER_PROBE_PORT",
)


@pytest.fixture(scope="session", autouse=True)
def _no_worker_probe_ports() -> Iterator[None]:
    """Workers the tests start serve no probe port (tests/integration/observability asks for
    one): many run at once, and a developer's own workers may hold the defaults."""
    with pytest.MonkeyPatch.context() as environment:
        for name in PROBE_PORT_SETTINGS:
            environment.setenv(name, os.environ.get(name, "0"))
        yield


@pytest.fixture(scope="session")
def bus_settings() -> Iterator[BusSettings]:
    """Settings pointing at a live broker (see module docstring)."""
    if os.environ.get("JOINEDUP_TESTCONTAINERS") == "1":
        yield from _testcontainers_kafka()
        return
    settings = BusSettings()
    if not settings.uses_local_broker:
        try:
            _off_loop(lambda: asyncio.run(probe_cluster(settings)))
        except JoinedUpError as exc:
            pytest.fail(f"integration tests need Kafka: {exc}", pytrace=False)
        yield settings
        return
    broker = LocalBroker(settings)
    try:
        started, _ = _off_loop(broker.start)
    except JoinedUpError as exc:
        pytest.fail(
            f"integration tests need Kafka; starting the local one failed: {exc}", pytrace=False
        )
    # The broker's start wrote its admin principal's client file: every client of the
    # session, and every process a test starts, authenticates with it.
    settings = BusSettings()
    with pytest.MonkeyPatch.context() as environment:
        if settings.client_file is not None:
            environment.setenv("JOINEDUP_KAFKA_CLIENT_FILE", str(settings.client_file))
        yield settings
    if started:
        _off_loop(broker.stop)


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Make names (topics, groups, app ids) unique to one test."""
    suffix = uuid.uuid4().hex[:10]
    return lambda prefix: f"{prefix}-{suffix}"


class RunningRegistry:
    """One registry served by uvicorn in a background thread."""

    def __init__(self, settings: BusSettings, topic: str) -> None:
        self.topic = topic
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(build_app(settings, topic=topic), log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> RunningRegistry:
        self._thread.start()
        deadline = time.monotonic() + 60
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                pytest.fail(f"the registry on topic {self.topic} did not start", pytrace=False)
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()


@pytest.fixture
def schemas_topic(unique_name: Callable[[str], str]) -> str:
    """A schemas topic of this test's own."""
    return unique_name("_schemas-test")


@pytest.fixture
def start_registry(
    bus_settings: BusSettings,
) -> Iterator[Callable[[str], RunningRegistry]]:
    """Start registries on a topic; every one still running is stopped at the end."""
    running: list[RunningRegistry] = []

    def start(topic: str) -> RunningRegistry:
        registry = RunningRegistry(bus_settings, topic).start()
        running.append(registry)
        return registry

    yield start
    for registry in running:
        registry.stop()


@pytest.fixture
def registry(
    start_registry: Callable[[str], RunningRegistry], schemas_topic: str
) -> RunningRegistry:
    """One registry on this test's schemas topic."""
    return start_registry(schemas_topic)


@pytest.fixture(scope="session")
def database_settings() -> Iterator[DatabaseSettings]:
    """Settings of a running PostgreSQL (rigs/database.py): fails, never skips, without one."""
    with running_database() as settings:
        yield settings


@pytest.fixture
def audit_db_url(database_settings: DatabaseSettings) -> Iterator[str]:
    """Conninfo of a fresh database of this test's own, migrated, dropped afterwards."""
    with fresh_database(database_settings) as url:
        yield url
