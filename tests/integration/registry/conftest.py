"""Fixtures for the registry's integration tests (running registries: ../conftest.py)."""

from __future__ import annotations

import pytest

from services.bus.settings import BusSettings


@pytest.fixture(scope="session")
def registry_bus_settings(bus_settings: BusSettings) -> BusSettings:
    """The session's broker settings (the session fixture has checked that it answers)."""
    return bus_settings
