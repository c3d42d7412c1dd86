"""Session fixture: a real Apache Kafka broker for every integration test.

Order of preference:
1. `JOINEDUP_TESTCONTAINERS=1` and a Docker engine: the official apache/kafka image.
2. `JOINEDUP_BOOTSTRAP_SERVERS` set: that cluster, which must answer.
3. Otherwise: the local broker from Maven jars, through the same code as
   `joinedup broker start`; stopped at the end only if this session started it.
A missing broker FAILS the tests with the reason; it never skips them.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator

import pytest

from services.broker.local import LocalBroker
from services.bus.kafka import probe_cluster
from services.bus.settings import BusSettings
from services.exceptions import JoinedUpError


def _testcontainers_kafka() -> Iterator[BusSettings]:
    from testcontainers.kafka import KafkaContainer  # noqa: PLC0415 - only with Docker

    with KafkaContainer("apache/kafka:4.1.1").with_kraft() as kafka:
        yield BusSettings(bootstrap_servers=kafka.get_bootstrap_server())


@pytest.fixture(scope="session")
def bus_settings() -> Iterator[BusSettings]:
    """Settings pointing at a live broker (see module docstring)."""
    if os.environ.get("JOINEDUP_TESTCONTAINERS") == "1":
        yield from _testcontainers_kafka()
        return
    settings = BusSettings()
    if not settings.uses_local_broker:
        try:
            asyncio.run(probe_cluster(settings.bootstrap, settings.connect_timeout_s))
        except JoinedUpError as exc:
            pytest.fail(f"integration tests need Kafka: {exc}", pytrace=False)
        yield settings
        return
    broker = LocalBroker(settings)
    try:
        started, _ = broker.start()
    except JoinedUpError as exc:
        pytest.fail(
            f"integration tests need Kafka; starting the local one failed: {exc}", pytrace=False
        )
    yield settings
    if started:
        broker.stop()


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Make names (topics, groups, app ids) unique to one test."""
    suffix = uuid.uuid4().hex[:10]
    return lambda prefix: f"{prefix}-{suffix}"
