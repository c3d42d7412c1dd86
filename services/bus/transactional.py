"""A consume-process-produce loop on Kafka transactions: exactly once for any processor.

Each batch of consumed records is processed inside one transaction that carries
every record the processor returns and the consumed offsets. A crash aborts
the open transaction, so read_committed readers never see half a batch, and
the restarted loop (same transactional id: the dead one is fenced) processes
the batch again from the last commit. A processor may also produce on a
timer (`tick`), in a transaction of its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from aiokafka import AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition

from services.bus.kafka import build_consumer, build_producer
from services.bus.reading import records_to_end
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings

log = structlog.get_logger(__name__)
BATCH = 500


class Processor(Protocol):
    """What the loop drives."""

    async def handle(self, record: Incoming) -> list[Outgoing]:
        """The records one consumed record produces."""
        ...

    async def on_assigned(self, partitions: set[int]) -> None:
        """Partitions (by number) were assigned: restore their state before processing."""
        ...

    def on_revoked(self) -> None:
        """Partitions were revoked: drop anything cached about them."""
        ...

    async def tick(self, now: datetime) -> list[Outgoing]:
        """Records due at wall-clock time `now` (e.g. escalations); usually none."""
        ...


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]  # untyped base
    def __init__(self, processor: Processor) -> None:
        self._processor = processor

    async def on_partitions_revoked(self, _revoked: Iterable[TopicPartition]) -> None:
        self._processor.on_revoked()

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        await self._processor.on_assigned({tp.partition for tp in assigned})


async def _send(producer: AIOKafkaProducer, out: Outgoing) -> None:
    await producer.send(
        out.topic, out.value, key=out.key, partition=out.partition, headers=list(out.headers)
    )


class TransactionalLoop:
    """Runs one processor for consumer group `group_id` until `stopping` is set."""

    def __init__(  # noqa: PLR0913, PLR0917 - each is one deployment choice
        self,
        settings: BusSettings,
        processor: Processor,
        group_id: str,
        transactional_id: str,
        sources: list[str],
        tick_every_s: float = 30.0,
    ) -> None:
        """Consume `sources` as `group_id`; write with `transactional_id` (unique per worker)."""
        self._settings = settings
        self._processor = processor
        self._group_id = group_id
        self._transactional_id = transactional_id
        self._sources = sources
        self._tick_every_s = tick_every_s
        self.stopping = asyncio.Event()
        self.processed = 0
        self._tick_requested = False

    def request_tick(self) -> None:
        """Run the processor's `tick` after the batch in hand (operators, tests)."""
        self._tick_requested = True

    async def _process(
        self,
        producer: AIOKafkaProducer,
        batch: dict[TopicPartition, list[Any]],
    ) -> None:
        async with producer.transaction():
            for tp, messages in batch.items():
                for message in messages:
                    record = Incoming(
                        tp.topic, tp.partition, message.offset, message.key, message.value
                    )
                    for out in await self._processor.handle(record):
                        await _send(producer, out)
            offsets = {tp: messages[-1].offset + 1 for tp, messages in batch.items()}
            await producer.send_offsets_to_transaction(offsets, self._group_id)
        self.processed += sum(len(messages) for messages in batch.values())

    async def _tick(self, producer: AIOKafkaProducer) -> None:
        due = await self._processor.tick(datetime.now(UTC))
        if due:
            async with producer.transaction():
                for out in due:
                    await _send(producer, out)

    async def run(self) -> None:
        """Process until `stopping` is set (the batch in hand is finished first)."""
        consumer = build_consumer(self._settings, group_id=self._group_id, max_poll_records=BATCH)
        producer = build_producer(
            self._settings, transactional_id=self._transactional_id, linger_ms=2
        )
        await producer.start()
        try:
            consumer.subscribe(self._sources, listener=_Rebalance(self._processor))
            await consumer.start()
            next_tick = time.monotonic() + self._tick_every_s
            while not self.stopping.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=BATCH)
                if batch:
                    await self._process(producer, batch)
                if self._tick_requested or time.monotonic() >= next_tick:
                    self._tick_requested = False
                    await self._tick(producer)
                    next_tick = time.monotonic() + self._tick_every_s
            log.info("stream processor stopping", group=self._group_id, processed=self.processed)
        finally:
            await consumer.stop()
            await producer.stop()


async def read_changelog(
    settings: BusSettings, changelog: str, partitions: Iterable[int]
) -> list[tuple[int, bytes, bytes | None]]:
    """Every committed (partition, key, value) of `partitions` of a state changelog, in order."""
    wanted = list(partitions)
    if not wanted:
        return []
    return [
        (r.partition, r.key, r.value) async for r in records_to_end(settings, changelog, wanted)
    ]
