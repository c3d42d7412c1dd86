"""Fixtures for the registry's integration tests (running registries: ../conftest.py)."""

from __future__ import annotations

import asyncio

import pytest

from services.bus.kafka import probe_cluster
from services.bus.settings import BusSettings
from services.exceptions import JoinedUpError


@pytest.fixture(scope="session")
def registry_bus_settings(bus_settings: BusSettings) -> BusSettings:
    """The session's broker settings, once the broker has answered (fail, never skip)."""
    try:
        asyncio.run(probe_cluster(bus_settings.bootstrap, bus_settings.connect_timeout_s))
    except JoinedUpError as exc:
        pytest.fail(f"registry integration tests need Kafka: {exc}", pytrace=False)
    return bus_settings
