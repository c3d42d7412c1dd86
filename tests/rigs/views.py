"""Agencies' view topics on the real broker: unique schools, and records put into their views."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from schemas.codec import AvroCodec
from services.bus import topics
from services.bus.kafka import build_producer, ensure_topics
from services.bus.settings import BusSettings

PublishToView = Callable[[dict[str, Any]], Awaitable[None]]


async def new_schools(settings: BusSettings, count: int = 2) -> tuple[str, ...]:
    """`count` school agencies unique to the test, with their view topics created."""
    schools = tuple(f"school-{uuid.uuid4().hex[:8]}" for _ in range(count))
    await ensure_topics(settings, [topics.view(school) for school in schools])
    return schools


@contextlib.asynccontextmanager
async def view_publisher(settings: BusSettings, codec: AvroCodec) -> AsyncIterator[PublishToView]:
    """Publish DisclosedEvent records into their recipient's view, keyed as the router keys them."""
    producer = build_producer(settings)
    await producer.start()

    async def publish(record: dict[str, Any]) -> None:
        value = codec.encode("DisclosedEvent", record)
        await producer.send_and_wait(
            topics.view(record["recipient"]), value, key=record["child_ref"].encode()
        )

    try:
        yield publish
    finally:
        await producer.stop()
