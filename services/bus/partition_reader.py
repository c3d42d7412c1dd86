"""Read partitions to their end with librdkafka (read_committed): state restore, chain tails.

"The end" is where a read_committed reader stops: the last stable offset.
Records of a transaction still open are not read; once its producer is
fenced the transaction aborts and they are never visible.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Final

from confluent_kafka import KafkaError, Message, TopicPartition

from services.bus import rdkafka
from services.bus.exceptions import BusError
from services.bus.settings import BusSettings

STALL_S: Final = 120.0
_BATCH: Final = 10_000
_WAIT_S: Final = 0.05  # consume() waits this long unless the batch fills


class PartitionReadError(BusError):
    """Raised when a partition cannot be read to its end (missing topic, no progress)."""


def records_to_end(
    settings: BusSettings,
    topic: str,
    partitions: Iterable[int],
    start: int | Mapping[int, int] = 0,
) -> Iterator[Message]:
    """Every committed record of `partitions` of `topic` from `start` to their current end.

    `start` is one offset for all, or one per partition. Offset 0 (not the
    logical beginning, which costs librdkafka an offset query of ~0.5 s) is
    the default; a log starting later is read from its start (reset: earliest).
    """
    wanted = sorted(set(partitions))
    if not wanted:
        return
    starts = start if isinstance(start, Mapping) else dict.fromkeys(wanted, start)
    consumer = rdkafka.reader(settings)
    try:
        consumer.assign([TopicPartition(topic, p, starts[p]) for p in wanted])
        open_partitions = set(wanted)
        last_progress = time.monotonic()
        while open_partitions:
            messages = consumer.consume(_BATCH, _WAIT_S)
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


def last_records(
    settings: BusSettings, topic: str, partitions: Iterable[int]
) -> dict[int, Message | None]:
    """The last committed record of each of `partitions` (None for one that holds none).

    Reads back from the end in growing windows: the last offsets may be
    transaction markers or aborted records, which a read_committed reader skips.
    """
    consumer = rdkafka.reader(settings)
    try:
        marks = {
            p: consumer.get_watermark_offsets(
                TopicPartition(topic, p), timeout=settings.connect_timeout_s
            )
            for p in partitions
        }
    finally:
        consumer.close()
    found: dict[int, Message | None] = {p: None for p, (low, high) in marks.items() if high <= low}
    window = 64
    while len(found) < len(marks):
        starts = {p: max(low, high - window) for p, (low, high) in marks.items() if p not in found}
        last: dict[int, Message] = {}
        for message in records_to_end(settings, topic, starts, starts):
            last[message.partition() or 0] = message
        for p, begin in starts.items():
            if p in last or begin == marks[p][0]:
                found[p] = last.get(p)
        window *= 8
    return found
