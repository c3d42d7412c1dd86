"""A Faust app that counts records per key into a table."""

from __future__ import annotations

from collections.abc import AsyncIterator

import faust

from services.bus.faust_app import build_faust_app
from services.bus.settings import BusSettings

DEFAULT_TOPIC = "smoke.events"


def build_smoke_app(settings: BusSettings, topic: str = DEFAULT_TOPIC) -> faust.App:
    """Build the smoke app: `count_by_key` counts records per key in table `counts`."""
    app = build_faust_app(settings, f"joinedup-smoke-{topic}")
    source = app.topic(
        topic, key_type=str, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )
    counts = app.Table(
        "counts", default=int, key_type=str, value_type=int, partitions=settings.default_partitions
    )

    @app.agent(source)
    async def count_by_key(stream: faust.StreamT[bytes]) -> AsyncIterator[int]:
        async for key, _value in stream.items():  # noqa: PERF102 - a Faust stream, not a dict
            counts[key] += 1
            yield counts[key]

    return app
