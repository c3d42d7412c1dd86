"""Read partitions to their end with librdkafka (read_committed): state restore, chain tails.

"The end" is where a read_committed reader stops: the last stable offset.
Records of a transaction still open are not read; once its producer is
fenced the transaction aborts and they are never visible.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Final

from confluent_kafka import OFFSET_BEGINNING, KafkaError, Message, TopicPartition

from services.bus import rdkafka
from services.bus.exceptions import BusError
from services.bus.settings import BusSettings

STALL_S: Final = 120.0
_BATCH: Final = 10_000


class PartitionReadError(BusError):
    """Raised when a partition cannot be read to its end (missing topic, no progress)."""


def records_to_end(
    settings: BusSettings, topic: str, partitions: Iterable[int], start: int = OFFSET_BEGINNING
) -> Iterator[Message]:
    """Every committed record of `partitions` of `topic` from `start` to their current end."""
    wanted = sorted(set(partitions))
    if not wanted:
        return
    consumer = rdkafka.reader(settings)
    try:
        consumer.assign([TopicPartition(topic, p, start) for p in wanted])
        open_partitions = set(wanted)
        last_progress = time.monotonic()
        while open_partitions:
            messages = consumer.consume(_BATCH, 0.5)
            if messages:
                last_progress = time.monotonic()
            elif time.monotonic() - last_progress > STALL_S:
                msg = (
                    f"reading {topic} partitions {sorted(open_partitions)} stalled for {STALL_S:g}s"
                )
                raise PartitionReadError(msg)
            for message in messages:
                error = message.error()
                if error is None:
                    yield message
                elif error.code() == KafkaError._PARTITION_EOF:  # noqa: SLF001 - librdkafka's name
                    open_partitions.discard(message.partition())
                else:
                    msg = f"reading {topic}[{message.partition()}]: {error.str()}"
                    raise PartitionReadError(msg)
    finally:
        consumer.close()


def last_record(settings: BusSettings, topic: str, partition: int) -> Message | None:
    """The last committed record of `topic[partition]` (None when it holds none).

    Reads back from the end in growing windows: the last offsets may be
    transaction markers or aborted records, which a read_committed reader skips.
    """
    consumer = rdkafka.reader(settings)
    try:
        low, high = consumer.get_watermark_offsets(
            TopicPartition(topic, partition), timeout=settings.connect_timeout_s
        )
    finally:
        consumer.close()
    window = 64
    while high > low:
        start = max(low, high - window)
        last = None
        for message in records_to_end(settings, topic, [partition], start):
            last = message
        if last is not None or start == low:
            return last
        window *= 8
    return None
