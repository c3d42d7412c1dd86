"""The four services of a fuzz run, started once per test module on the real broker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fuzz_rig import FuzzServices, start_services
from rigs.database import fresh_database


@pytest.fixture(scope="module")
def fuzz_services(bus_settings, database_settings, tmp_path_factory) -> Iterator[FuzzServices]:
    """Registry, gateway, consent and alerts services; topics, agencies and audit database of
    the run's own."""
    with fresh_database(database_settings) as database_url:
        services = start_services(bus_settings, tmp_path_factory.mktemp("fuzz"), database_url)
        try:
            yield services
        finally:
            services.stop()
