"""Fixtures for the registry's integration tests: a live broker and running registries.

Each test gets its own schemas topic; registries run in-process under uvicorn
on a free loopback port, in a background thread, and are stopped afterwards.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn

from services.bus.kafka import probe_cluster
from services.bus.settings import BusSettings
from services.exceptions import JoinedUpError
from services.registry.bootstrap import build_app


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


@pytest.fixture(scope="session")
def registry_bus_settings(bus_settings: BusSettings) -> BusSettings:
    """The session's broker settings, once the broker has answered (fail, never skip)."""
    try:
        asyncio.run(probe_cluster(bus_settings.bootstrap, bus_settings.connect_timeout_s))
    except JoinedUpError as exc:
        pytest.fail(f"registry integration tests need Kafka: {exc}", pytrace=False)
    return bus_settings


@pytest.fixture
def schemas_topic(unique_name: Callable[[str], str]) -> str:
    """A schemas topic of this test's own."""
    return unique_name("_schemas-test")


@pytest.fixture
def start_registry(
    registry_bus_settings: BusSettings,
) -> Iterator[Callable[[str], RunningRegistry]]:
    """Start registries on a topic; every one still running is stopped at the end."""
    running: list[RunningRegistry] = []

    def start(topic: str) -> RunningRegistry:
        registry = RunningRegistry(registry_bus_settings, topic).start()
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
