"""The transactional loop's dealings with librdkafka that hold no loop state.

Turning messages into `Incoming` records, reading a KafkaException's error,
checking that inputs and state topics are co-partitioned, and measuring how
far behind the owned partitions are.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, Final

from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)

from services.bus.exceptions import BusError
from services.bus.records import Incoming, Outgoing

_NO_TIMESTAMP = 0  # librdkafka's TIMESTAMP_NOT_AVAILABLE


class StreamProcessingError(BusError):
    """Raised when a stream processor cannot go on (a batch failing again, fenced, bad set-up)."""


def kafka_error(exc: KafkaException) -> KafkaError:
    """The KafkaError a KafkaException carries (one made up when it carries none)."""
    error = exc.args[0] if exc.args else None
    if isinstance(error, KafkaError):
        return error
    return KafkaError(KafkaError._FAIL, str(exc))  # noqa: SLF001 - librdkafka's name


def key(tp: TopicPartition) -> tuple[str, int]:
    """A topic partition as a hashable pair."""
    return tp.topic, tp.partition


def incoming(message: Message) -> Incoming:
    """A consumed message as a record the processors take."""
    topic, partition, offset = message.topic(), message.partition(), message.offset()
    if topic is None or partition is None or offset is None:
        raise StreamProcessingError("a consumed record came without topic, partition or offset")
    kind, stamp = message.timestamp()
    return Incoming(
        topic,
        partition,
        offset,
        message.key(),
        message.value(),
        _headers(message),
        stamp if kind != _NO_TIMESTAMP else 0,
    )


def _headers(message: Message) -> tuple[tuple[str, bytes], ...]:
    """A record's headers as (name, bytes) pairs (none: an empty tuple, at no cost)."""
    found = message.headers()
    if not found:
        return ()
    pairs = found.items() if isinstance(found, dict) else found
    return tuple(
        (name, value.encode() if isinstance(value, str) else value or b"") for name, value in pairs
    )


def check_copartitioned(consumer: Consumer, names: list[str], timeout_s: float) -> None:
    """Every topic of `names` exists and all have one partition count.

    A topic created just before may take a moment to show in the metadata:
    missing topics are looked for again until `timeout_s` has passed.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        metadata = consumer.list_topics(timeout=timeout_s)
        found = {
            name: len(metadata.topics[name].partitions)
            for name in names
            if name in metadata.topics and metadata.topics[name].error is None
        }
        missing = [name for name in names if name not in found]
        if not missing:
            break
        if time.monotonic() > deadline:
            msg = (
                f"topic {missing[0]} does not exist; create it first (a worker creates its own "
                "topics on start: start it once, or create them with the cluster's tools)"
            )
            raise StreamProcessingError(msg)
        time.sleep(0.25)
    if len(set(found.values())) > 1:
        listed = ", ".join(f"{name}={n}" for name, n in sorted(found.items()))
        msg = (
            "a child's records must meet in one worker, so every input and state "
            f"topic needs the same partition count; found {listed}"
        )
        raise StreamProcessingError(msg)


def lag_by_topic(consumer: Consumer, owned: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Records between the consumer's position and the end, summed per topic.

    Reads only what librdkafka already holds (the last fetch's high
    watermarks): no request goes to the broker. Partitions without a known
    position yet are left out.
    """
    partitions = [TopicPartition(topic, partition) for topic, partition in owned]
    behind: dict[str, int] = {}
    if not partitions:
        return behind
    for tp in consumer.position(partitions):
        if tp.offset < 0:
            continue
        _low, high = consumer.get_watermark_offsets(tp, cached=True)
        if high >= 0:
            behind[tp.topic] = behind.get(tp.topic, 0) + max(0, high - tp.offset)
    return behind


FENCED: Final = frozenset(
    {KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH}  # noqa: SLF001
)


def fatal(error: KafkaError, group_id: str, transactional_id: str) -> StreamProcessingError:
    """The error a loop stops with on a fatal Kafka error; a fenced one says what to do."""
    if error.code() in FENCED:
        return StreamProcessingError(
            f"another worker took over transactional id {transactional_id!r} "
            "(same app id and instance); this one stops - give each worker its own "
            "--instance, or none"
        )
    return StreamProcessingError(f"{group_id}: fatal Kafka error: {error.str()}")


def produce(producer: Producer, out: Outgoing) -> None:
    """Hand `out` to librdkafka, waiting for room while its local queue is full."""
    extra: dict[str, Any] = {}
    if out.partition is not None:
        extra["partition"] = out.partition
    if out.headers:
        extra["headers"] = list(out.headers)
    while True:
        try:
            producer.produce(out.topic, out.value, out.key, **extra)
        except BufferError:  # the local queue is full: let deliveries drain it
            producer.poll(0.05)
        else:
            return
