"""The schema source every SDK user and the gateway share: the bus's schema registry.

`RegistryClient` is blocking; the codec asks it once per event type (to
register or find the schema id) and once per unseen schema id, then caches,
so the hot path never waits on the registry.
"""

from __future__ import annotations

from schemas.registry_client import RegistryClient
from schemas.schema_source import SchemaSource
from services.bus.readiness import PROBE_TIMEOUT_S
from services.bus.settings import BusSettings
from services.observability.readiness import Check, http_check


def registry_schema_source(settings: BusSettings) -> SchemaSource:
    """A client of the Confluent-compatible registry at `settings.registry_url`."""
    return RegistryClient(settings.registry_url)


def answering_registry(settings: BusSettings) -> SchemaSource:
    """The registry client, once the registry has answered (a clear error, not a hang later)."""
    client = RegistryClient(settings.registry_url)
    client.subjects()
    return client


def registry_checks(source: SchemaSource) -> list[Check]:
    """Readiness of the registry `source` reads (none for schemas held in memory or files)."""
    if isinstance(source, RegistryClient):
        return [http_check("registry", f"{source.url}/", PROBE_TIMEOUT_S)]
    return []
