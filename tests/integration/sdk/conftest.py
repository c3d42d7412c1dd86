"""A publisher per test on the real broker, on its own agency's ingest topic."""

from __future__ import annotations

import pytest

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.bus.kafka import ensure_topics
from services.bus.reading import records_to_end
from services.sdk.publisher import Publisher


@pytest.fixture
def schema_source():
    return InMemorySchemaSource()


@pytest.fixture
def codec(schema_source):
    return AvroCodec(schema_source)


@pytest.fixture
async def publisher(bus_settings, schema_source, unique_name):
    agency = unique_name("school")
    await ensure_topics(bus_settings, [f"ingest.{agency}"])
    async with Publisher.connect(bus_settings, agency, schema_source) as started:
        yield started


@pytest.fixture
def read_topic(bus_settings):
    async def read(topic: str) -> list:
        return [record async for record in records_to_end(bus_settings, topic)]

    return read
