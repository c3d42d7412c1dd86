"""Read a topic from its beginning to its current end (replays, checks, tools)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from aiokafka import TopicPartition

from services.bus.kafka import build_consumer, partitions_of, stop_consumer
from services.bus.settings import BusSettings


async def records_to_end(
    settings: BusSettings, topic: str, only: Iterable[int] | None = None
) -> AsyncIterator[Any]:
    """Every record of `topic` up to the end it had when called, partition by partition.

    Offsets may have gaps (compaction, transaction markers); records come as
    aiokafka's ConsumerRecord (topic, partition, offset, key, value, headers).
    """
    numbers = await partitions_of(settings, topic) if only is None else sorted(only)
    partitions = [TopicPartition(topic, n) for n in numbers]
    if not partitions:
        return
    consumer = build_consumer(settings, group_id=None)
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        for tp in partitions:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                for record in batch.get(tp, []):
                    if record.offset < ends[tp]:
                        yield record
    finally:
        await stop_consumer(consumer)
