"""The router's consume-decide-produce loop, exactly once, on Kafka transactions.

Processing guarantee: exactly-once (docs/router.md). Each batch of consumed
records is routed inside one Kafka transaction that carries the views, the
audit records, the per-child state changelog and the consumed offsets. A
crash aborts the open transaction: nothing of it becomes visible to
read_committed readers, and the restarted worker (same transactional id, so
the dead one is fenced) routes those records again from the last commit. The
audit chain therefore never holds a record whose decision was rolled back.

Per-child state lives in memory for the partitions this worker owns and in a
compacted changelog topic `<app_id>-children`, partitioned like the sources;
it is read back when partitions are assigned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition

from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.bus.settings import BusSettings
from services.router.stage import ChildStates, Incoming, RouterParts, RouterStage

log = structlog.get_logger(__name__)
BATCH = 500


class _RestoreOnAssign(ConsumerRebalanceListener):  # type: ignore[misc]  # untyped base
    """Reads the state changelog of newly assigned partitions before they are routed."""

    def __init__(self, worker: RouterWorker) -> None:
        self._worker = worker

    async def on_partitions_revoked(self, _revoked: Iterable[TopicPartition]) -> None:
        self._worker.parts.chain.forget()

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        await self._worker.restore({tp.partition for tp in assigned})


class RouterWorker:
    """One router worker; run several with distinct `instance` names to scale out."""

    def __init__(
        self, settings: BusSettings, parts: RouterParts, app_id: str, instance: str = "0"
    ) -> None:
        """Route for consumer group `app_id`; `instance` makes the transactional id unique."""
        self.settings = settings
        self.parts = parts
        self.app_id = app_id
        self.transactional_id = f"{app_id}-{instance}"
        self.states = ChildStates(f"{app_id}-children")
        self.stage = RouterStage(parts, self.states)
        self._restored: set[int] = set()
        self.stopping = asyncio.Event()

    async def restore(self, partitions: set[int]) -> None:
        """Read the state changelog of `partitions` not restored yet (read_committed)."""
        wanted = [TopicPartition(self.states.changelog, p) for p in partitions - self._restored]
        if not wanted:
            return
        reader = build_consumer(self.settings, group_id=None)
        await reader.start()
        try:
            reader.assign(wanted)
            ends = await reader.end_offsets(wanted)
            await reader.seek_to_beginning(*wanted)
            for tp in wanted:
                while await reader.position(tp) < ends[tp]:
                    for message in (await reader.getmany(tp, timeout_ms=500)).get(tp, []):
                        self.states.restore(message.key, message.value)
        finally:
            await reader.stop()
        self._restored |= {tp.partition for tp in wanted}

    async def _route_batch(
        self, producer: AIOKafkaProducer, batch: dict[TopicPartition, list[Any]]
    ) -> int:
        count = 0
        async with producer.transaction():
            for tp, messages in batch.items():
                for message in messages:
                    record = Incoming(
                        tp.topic,
                        tp.partition,
                        message.offset,
                        message.key,
                        message.value,
                    )
                    for out in await self.stage.handle(record):
                        await producer.send(
                            out.topic,
                            out.value,
                            key=out.key,
                            partition=out.partition,
                            headers=list(out.headers),
                        )
                    count += 1
            offsets = {tp: messages[-1].offset + 1 for tp, messages in batch.items()}
            await producer.send_offsets_to_transaction(offsets, self.app_id)
        return count

    async def run(self) -> None:
        """Route until `stopping` is set (or the task is cancelled)."""
        settings, parts = self.settings, self.parts
        sources = parts.topics.sources(parts.policy.agency_ids)
        await ensure_topics(settings, [self.states.changelog])
        feed = asyncio.create_task(parts.policy.follow(), name="agreement-feed")
        consumer: AIOKafkaConsumer = build_consumer(
            settings, group_id=self.app_id, max_poll_records=BATCH
        )
        producer = build_producer(settings, transactional_id=self.transactional_id, linger_ms=2)
        await producer.start()
        try:
            await parts.policy.ready.wait()
            consumer.subscribe(sources, listener=_RestoreOnAssign(self))
            await consumer.start()
            routed = 0
            while not self.stopping.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=BATCH)
                if batch:
                    routed += await self._route_batch(producer, batch)
            log.info("router stopping", routed=routed)
        finally:
            feed.cancel()
            await consumer.stop()
            await producer.stop()
