"""Follow identity.merges into the gateway's identity index: identifiers relinked to survivors.

The consent service writes identity stewards' merges and unmerges; the gateway
reads every partition (no consumer group) from the beginning, so that an
identifier linked to an absorbed child_ref resolves to the surviving one while
the merge is in force, and to its own child_ref again once unmerged. The
gateway serves only once it has caught up with the end it saw at start.

A record that does not decode is skipped with a warning naming its offset: the
stream processors, which read the same partitions, dead-letter it with the
reason (deadletter.identity.merges), so it is kept once, not once per reader.
"""

from __future__ import annotations

import asyncio

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition

from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.bus.kafka import build_consumer, described_partitions, stop_consumer
from services.bus.settings import BusSettings
from services.identity.domain.links import IdentityIndex
from services.identity.merge_events import apply_merge_event

log = structlog.get_logger("joinedup.gateway")


class MergeFeed:
    """Applies every identity steward's decision to the index, as it is published."""

    def __init__(
        self, settings: BusSettings, codec: AvroCodec, index: IdentityIndex, topic: str
    ) -> None:
        """Read `topic` into `index.merges`, decoding with `codec`."""
        self._settings = settings
        self._codec = codec
        self._index = index
        self._topic = topic
        self.ready = asyncio.Event()
        self.applied = 0

    def _apply(self, partition: int, offset: int, value: bytes | None) -> None:
        try:
            event = self._codec.decode(value or b"")
        except ContractError as exc:
            log.warning(
                "merge record undecodable, skipped here",
                topic=self._topic,
                partition=partition,
                offset=offset,
                error=type(exc).__name__,
            )
            return
        apply_merge_event(self._index.merges, event)
        self.applied += 1

    async def run(self) -> None:
        """Read to the end, signal `ready`, then follow new decisions until cancelled."""
        consumer = build_consumer(self._settings, group_id=None)  # made here: needs a loop
        await consumer.start()
        try:
            partitions = await described_partitions(self._settings, self._topic)
            assigned = [TopicPartition(self._topic, p) for p in partitions]
            consumer.assign(assigned)
            await consumer.seek_to_beginning(*assigned)
            ends = await consumer.end_offsets(assigned)
            while True:
                batch = await consumer.getmany(timeout_ms=200)
                for records in batch.values():
                    for record in records:
                        self._apply(record.partition, record.offset, record.value)
                if not self.ready.is_set() and await _caught_up(consumer, ends):
                    log.info("identity merges followed", topic=self._topic, merges=self.applied)
                    self.ready.set()
        finally:
            await stop_consumer(consumer)


async def _caught_up(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return False
    return True
