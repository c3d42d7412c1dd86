"""Fixtures for receiving on the real broker: agencies with views, a router-like view writer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from receiving_rig import ViewWriter, token_of, view_writer
from rigs.views import new_schools

from schemas.codec import AvroCodec
from schemas.registry_client import RegistryClient
from services.bus import topics
from services.bus.kafka import ensure_topics
from services.view_feed.domain.readers import token_digest


@pytest.fixture
async def agencies(bus_settings) -> tuple[str, ...]:
    """Two agencies unique to this test, their views and the views' dead letters created."""
    schools = await new_schools(bus_settings)
    await ensure_topics(bus_settings, [topics.deadletter(topics.view(s)) for s in schools])
    return schools


@pytest.fixture
def codec(registry) -> AvroCodec:
    """A codec over this test's registry (subprocesses read the same schemas)."""
    return AvroCodec(RegistryClient(registry.url))


@pytest.fixture
def readers_file(tmp_path: Path, agencies) -> Path:
    """view-readers.yaml giving each of the test's agencies its own token."""
    path = tmp_path / "view-readers.yaml"
    lines = ["readers:"]
    lines += [f"  - {{agency: {a}, token_sha256: {token_digest(token_of(a))}}}" for a in agencies]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
async def writer(bus_settings, codec, unique_name) -> AsyncIterator[ViewWriter]:
    """This test's transactional view writer."""
    async with view_writer(bus_settings, codec, unique_name("view-writer")) as started:
        yield started


@pytest.fixture
def event_ids() -> Callable[[Iterable[dict[str, Any]]], list[str]]:
    """The event ids of records, as strings."""
    return lambda records: [str(record["event_id"]) for record in records]
