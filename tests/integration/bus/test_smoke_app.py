"""The Faust plumbing end to end on the real broker."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest

from services.bus.kafka import build_consumer, build_producer
from services.bus.settings import BusSettings

pytestmark = pytest.mark.integration


async def _read_changelog(settings: BusSettings, topic: str, want: dict[bytes, bytes]) -> dict:
    consumer = build_consumer(settings, topic, group_id=None)
    await consumer.start()
    latest: dict[bytes, bytes] = {}
    try:
        deadline = time.monotonic() + 45
        while latest != want and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    latest[record.key] = record.value
    finally:
        await consumer.stop()
    return latest


class TestSmokeApp:
    async def test_agent_counts_into_table_and_changelog(self, bus_settings, unique_name):
        """Records produced per key are counted by the agent; the changelog holds the counts."""
        topic = unique_name("smoke")
        env = {**os.environ, "JOINEDUP_BOOTSTRAP_SERVERS": bus_settings.bootstrap}
        worker = subprocess.Popen(
            [sys.executable, "-m", "services", "smoke", "worker", "--topic", topic],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            await asyncio.sleep(2)
            producer = build_producer(bus_settings)
            await producer.start()
            try:
                for key, times in ((b"child-a", 3), (b"child-b", 2)):
                    for _ in range(times):
                        await producer.send_and_wait(topic, b"{}", key=key)
            finally:
                await producer.stop()
            changelog = f"joinedup-smoke-{topic}-counts-changelog"
            latest = await _read_changelog(
                bus_settings, changelog, {b'"child-a"': b"3", b'"child-b"': b"2"}
            )
        finally:
            worker.terminate()
            _, stderr = worker.communicate(timeout=30)
        assert latest == {b'"child-a"': b"3", b'"child-b"': b"2"}, stderr.decode()[-2000:]
