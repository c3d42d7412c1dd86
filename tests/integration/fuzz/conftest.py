"""The four services of a fuzz run, started once per test module on the real broker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fuzz_rig import FuzzServices, start_services


@pytest.fixture(scope="module")
def fuzz_services(bus_settings, tmp_path_factory) -> Iterator[FuzzServices]:
    """Registry, gateway, consent and alerts services; topics and agencies of the run's own."""
    services = start_services(bus_settings, tmp_path_factory.mktemp("fuzz"))
    try:
        yield services
    finally:
        services.stop()
