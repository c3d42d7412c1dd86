"""The schema source every SDK user and the gateway share: the bus's schema registry.

`RegistryClient` is blocking; the codec asks it once per event type (to
register or find the schema id) and once per unseen schema id, then caches,
so the hot path never waits on the registry.
"""

from __future__ import annotations

from schemas.registry_client import RegistryClient
from schemas.schema_source import SchemaSource
from services.bus.settings import BusSettings


def registry_schema_source(settings: BusSettings) -> SchemaSource:
    """A client of the Confluent-compatible registry at `settings.registry_url`."""
    return RegistryClient(settings.registry_url)


def answering_registry(settings: BusSettings) -> SchemaSource:
    """The registry client, once the registry has answered (a clear error, not a hang later)."""
    client = RegistryClient(settings.registry_url)
    client.subjects()
    return client
