"""Read a topic from its beginning to its current end (replays, checks, tools)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiokafka import TopicPartition

from services.bus.kafka import build_admin, build_consumer
from services.bus.settings import BusSettings


async def partitions_of(settings: BusSettings, topic: str) -> list[int]:
    """The partition numbers of `topic` (none if it does not exist)."""
    admin = build_admin(settings)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    numbers = [
        int(p.get("partition", p.get("partition_index", 0)))
        for entry in described
        if entry.get("topic") == topic and not entry.get("error_code")
        for p in entry.get("partitions", [])
    ]
    return sorted(numbers)


async def records_to_end(settings: BusSettings, topic: str) -> AsyncIterator[Any]:
    """Every record of `topic` up to the end it had when called, partition by partition.

    Offsets may have gaps (compaction, transaction markers); records come as
    aiokafka's ConsumerRecord (topic, partition, offset, key, value, headers).
    """
    partitions = [TopicPartition(topic, n) for n in await partitions_of(settings, topic)]
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
        await consumer.stop()
