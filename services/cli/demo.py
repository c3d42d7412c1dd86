"""`joinedup demo`: the main job on embedded defaults, end to end, then a summary."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid

import typer
from rich.console import Console

from services.broker.local import LocalBroker
from services.bus.kafka import build_consumer, build_producer, ensure_topics, probe_cluster
from services.bus.settings import BusSettings

console = Console(stderr=True)


def ensure_broker(settings: BusSettings) -> None:
    """Use the configured cluster, or start the local broker (a no-op when it runs)."""
    if settings.uses_local_broker:
        started, seconds = LocalBroker(settings).start()
        note = f"started in {seconds:.1f}s" if started else "already running"
        console.print(f"Kafka broker at {settings.bootstrap} ({note})")
    else:
        asyncio.run(probe_cluster(settings.bootstrap, settings.connect_timeout_s))
        console.print(f"Using the Kafka cluster at {settings.bootstrap}")


async def _count_through_smoke_app(settings: BusSettings, topic: str) -> dict[str, int]:
    producer = build_producer(settings)
    await producer.start()
    try:
        for key, times in (("child-a", 3), ("child-b", 1)):
            for _ in range(times):
                await producer.send_and_wait(topic, b"{}", key=key.encode())
    finally:
        await producer.stop()
    consumer = build_consumer(settings, f"joinedup-smoke-{topic}-counts-changelog")
    await consumer.start()
    counts: dict[str, int] = {}
    try:
        deadline = time.monotonic() + 60
        while counts != {"child-a": 3, "child-b": 1} and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    counts[record.key.decode().strip('"')] = int(record.value)
    finally:
        await consumer.stop()
    return counts


def demo() -> None:
    """Start the broker, run the stream processors on sample events, print what happened."""
    settings = BusSettings()
    ensure_broker(settings)
    topic = f"demo-smoke-{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_topics(settings, [topic]))
    worker = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "services", "smoke", "worker", "--topic", topic],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        counts = asyncio.run(_count_through_smoke_app(settings, topic))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    console.print(f"Smoke app counted records per key through a Faust table: {counts}")
    if counts != {"child-a": 3, "child-b": 1}:
        raise typer.Exit(1)
