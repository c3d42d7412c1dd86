"""The consent service running in the test's process on the real broker, and its topics.

The app's lifespan is entered by hand (no socket), with topics unique to the
test and the InMemorySchemaSource the test's codec shares.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys

import httpx
from aiokafka import TopicPartition

from schemas.codec import AvroCodec
from services.bus.kafka import build_consumer, partitions_of
from services.consent.adapters.topics import ConsentTopics
from services.consent.bootstrap import ConsentOptions, build_consent_service

OFFICER_TOKEN = "dev-token-consent-officer"  # noqa: S105 - the development officer's token
OFFICER = {"Authorization": f"Bearer {OFFICER_TOKEN}"}
AUDITOR = {"Authorization": "Bearer dev-token-auditor"}


def new_child_ref() -> str:
    """A child_ref of the one strict form, unique to the test (cr1_ and 32 base32 characters)."""
    return "cr1_" + base64.b32encode(os.urandom(20)).decode().lower()


class RunningService:
    """The app with its lifespan entered, and an httpx client on it."""

    def __init__(self, settings, source, names: ConsentTopics) -> None:
        self.app = build_consent_service(settings, source, ConsentOptions(topics=names))

    async def __aenter__(self) -> httpx.AsyncClient:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://consent"
        )
        return self._client

    async def __aexit__(self, *exc) -> None:
        await self._client.aclose()
        await self._lifespan.__aexit__(*exc)


async def read_topic(settings, topic: str, codec: AvroCodec) -> list[tuple[bytes, int, dict]]:
    consumer = build_consumer(settings, topic, group_id=None)
    await consumer.start()
    found = []
    try:
        for _ in range(10):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found.extend((r.key, r.partition, codec.decode(r.value)) for r in records)
    finally:
        await consumer.stop()
    return found


def topics_for(unique_name) -> ConsentTopics:
    return ConsentTopics(
        agreements=unique_name("consent-agreements"),
        directives=unique_name("consent-directives"),
        audit=unique_name("audit"),
        reviews=unique_name("audit-reviews"),
    )


async def joinedup(*args: str) -> tuple[int, str, str]:
    """Run `joinedup ARGS` as a process of its own; its exit code, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services",
        *args,
        env={**os.environ, "JOINEDUP_CONSENT_TOKEN": OFFICER_TOKEN},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def records_on(settings, topic: str) -> int:
    """How many records `topic` holds (the sum of its partitions' end offsets)."""
    partitions = [TopicPartition(topic, p) for p in await partitions_of(settings, topic)]
    consumer = build_consumer(settings, group_id=None)
    await consumer.start()
    try:
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()
