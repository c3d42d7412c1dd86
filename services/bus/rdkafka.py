"""librdkafka (confluent-kafka) client settings: the one place the processors' clients are made.

The stream processors run on librdkafka: its transactional producer sends
offsets with the consumer's group metadata (KIP-447), so the broker fences a
worker that lost its partitions, and it produces several times faster per
record than aiokafka. The asyncio services keep aiokafka (services/bus/kafka.py).
"""

from __future__ import annotations

from typing import Any, Final

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient

from services.bus.settings import BusSettings

# A transaction left open by a dead worker blocks read_committed readers of its
# partitions until the broker aborts it: keep that wait short. Our
# transactions last milliseconds.
TRANSACTION_TIMEOUT_MS: Final = 20_000
SESSION_TIMEOUT_MS: Final = 10_000


def _common(settings: BusSettings) -> dict[str, Any]:
    common: dict[str, Any] = {
        "bootstrap.servers": settings.bootstrap,
        "socket.connection.setup.timeout.ms": int(settings.connect_timeout_s * 1000),
        **settings.client_security.librdkafka(),
    }
    if settings.rdkafka_debug:
        common["debug"] = settings.rdkafka_debug
    return common


def group_consumer(settings: BusSettings, group_id: str, **overrides: Any) -> Consumer:
    """A group member reading committed records only, co-partitioned (range assignor).

    `range` gives one member the same partition numbers of every input topic
    (inputs have equal partition counts), so all of a child's records, from
    every agency, reach the one worker that holds the child's state.
    """
    config = {
        **_common(settings),
        "group.id": group_id,
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "range",
        "session.timeout.ms": SESSION_TIMEOUT_MS,
        "heartbeat.interval.ms": 1_000,
        "max.poll.interval.ms": 300_000,
        "fetch.wait.max.ms": 50,
        "fetch.queue.backoff.ms": 10,  # default 1 s: a full local queue stalls the fetcher
        **overrides,
    }
    return Consumer(config)


def reader(settings: BusSettings, **overrides: Any) -> Consumer:
    """A consumer for assigned partitions only (no group membership), read_committed."""
    config = {
        **_common(settings),
        "group.id": "joinedup-reader-never-commits",
        "isolation.level": "read_committed",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": True,
        "fetch.wait.max.ms": 50,
        "fetch.queue.backoff.ms": 10,  # default 1 s: restoring a large changelog stalls
        **overrides,
    }
    return Consumer(config)


def transactional_producer(
    settings: BusSettings, transactional_id: str, **overrides: Any
) -> Producer:
    """A transactional producer; keys partition as Kafka's Java client does (murmur2).

    murmur2 keeps a record keyed by child_ref on the partition every other
    client of the bus (aiokafka, Java) would choose for it.
    """
    config = {
        **_common(settings),
        "transactional.id": transactional_id,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "partitioner": "murmur2_random",
        "transaction.timeout.ms": TRANSACTION_TIMEOUT_MS,
        "queue.buffering.max.messages": 1_000_000,
        "queue.buffering.max.kbytes": 1_048_576,
        **overrides,
    }
    return Producer(config)


def producer(settings: BusSettings, **overrides: Any) -> Producer:
    """An idempotent producer outside any transaction (acks=all, murmur2 like the others)."""
    config = {
        **_common(settings),
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "partitioner": "murmur2_random",
        **overrides,
    }
    return Producer(config)


def admin_client(settings: BusSettings, **overrides: Any) -> AdminClient:
    """An admin client (topics, ACLs, SCRAM credentials) as the settings' principal."""
    return AdminClient({**_common(settings), **overrides})
