"""Kafka clients built from settings: the one place aiokafka objects are made."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner

from services.bus import rdkafka, topic_admin, topics
from services.bus.exceptions import BrokerUnreachableError
from services.bus.settings import BusSettings


def build_producer(settings: BusSettings, **overrides: Any) -> AIOKafkaProducer:
    """An idempotent producer (acks=all) for the configured cluster."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap,
        **settings.client_security.aiokafka(),
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "request_timeout_ms": int(settings.connect_timeout_s * 1000),
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


def build_consumer(settings: BusSettings, *topic_names: str, **overrides: Any) -> AIOKafkaConsumer:
    """A consumer reading committed records only, from the earliest offset by default."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap,
        **settings.client_security.aiokafka(),
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "enable_auto_commit": False,
        "request_timeout_ms": int(settings.connect_timeout_s * 1000) + 30_000,
        "session_timeout_ms": 10_000,
        "heartbeat_interval_ms": 1_000,
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topic_names, **options)


def build_admin(settings: BusSettings) -> AIOKafkaAdminClient:
    """An admin client for topic management."""
    return AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap,
        request_timeout_ms=int(settings.connect_timeout_s * 1000),
        **settings.client_security.aiokafka(),
    )


async def probe_cluster(
    settings: BusSettings, timeout_s: float | None = None, *, bootstrap: str | None = None
) -> int:
    """Return the number of brokers answering a metadata request, or raise a clear error.

    `bootstrap` replaces the settings' address (the local broker probes its own port).
    """
    bootstrap = bootstrap or settings.bootstrap
    timeout_s = settings.connect_timeout_s if timeout_s is None else timeout_s
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(timeout_s * 1000),
        **settings.client_security.aiokafka(),
    )
    try:
        async with asyncio.timeout(timeout_s):
            await admin.start()
            metadata = await admin.describe_cluster()
    except (TimeoutError, KafkaError, OSError) as exc:
        msg = (
            f"no Kafka broker answered at {bootstrap} within {timeout_s:g}s "
            f"({type(exc).__name__}); check JOINEDUP_BOOTSTRAP_SERVERS or run "
            "`joinedup broker start`"
        )
        raise BrokerUnreachableError(msg) from None
    finally:
        await admin.close()
    return len(metadata["brokers"])


async def ensure_topics(settings: BusSettings, names: list[str]) -> None:
    """Create the topics of `names` that do not exist yet, as the topic policy says.

    Existing topics are left as they are: `joinedup topics apply` reconciles
    them with the policy. A principal that may not create a missing topic gets
    TopicCreationRefusedError, which names that command.
    """
    await asyncio.to_thread(_ensure_topics, settings, list(names))


def _ensure_topics(settings: BusSettings, names: list[str]) -> None:
    admin = rdkafka.admin_client(settings)
    existing = topic_admin.existing_topics(admin, settings)
    missing = sorted({name for name in names if name not in existing})
    topic_admin.create_topics(admin, settings, [topics.topic_spec(n, settings) for n in missing])


def partition_for(child_ref: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives the key `child_ref` (murmur2).

    Used to send a record keyed otherwise (a compacted topic's own key) to its
    child's partition, so it is read in order with that child's events.
    """
    return int(DefaultPartitioner()(child_ref.encode(), list(range(partitions)), []))


async def partitions_of(settings: BusSettings, topic: str) -> list[int]:
    """The partition numbers of `topic` (empty when it does not exist)."""
    admin = build_admin(settings)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(
        p["partition"]
        for t in described
        if t["topic"] == topic and not t["error_code"]
        for p in t["partitions"]
    )


async def stop_consumer(consumer: AIOKafkaConsumer) -> None:
    """Stop `consumer`, even at once after its start.

    aiokafka's consumer starts a coordinator task in `start`. Stopped before
    that task has run once, the task is cancelled unstarted and `stop` raises
    CancelledError, leaving the fetcher and connections open (a replay of
    empty or not yet described topics does exactly that). One pass of the
    event loop lets the task start first.
    """
    await asyncio.sleep(0)
    await consumer.stop()


async def described_partitions(
    settings: BusSettings, topic: str, timeout_s: float | None = None
) -> list[int]:
    """The partition numbers of `topic`, which must exist, once the cluster describes it.

    A topic created or a broker started a moment before may be described
    with an error, or without partitions, for a short while; reading it then
    would silently read nothing (a replay missing every agreement). Asked
    again until `timeout_s` (default: the connect timeout), then a clear error.
    """
    deadline = asyncio.get_running_loop().time() + (
        settings.connect_timeout_s if timeout_s is None else timeout_s
    )
    while True:
        partitions = await partitions_of(settings, topic)
        if partitions:
            return partitions
        if asyncio.get_running_loop().time() > deadline:
            msg = f"topic {topic} is not described by the cluster at {settings.bootstrap}"
            raise BrokerUnreachableError(msg)
        await asyncio.sleep(0.2)
