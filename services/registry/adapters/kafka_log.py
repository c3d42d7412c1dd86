"""The registry's log: a compacted, single-partition Kafka topic (default `_schemas`).

`start` replays the topic from the beginning into a `RegistryState`, then a
background task follows it. `append` produces a record and returns only once
this registry's own consumer has read it back and applied it, so every
registry on the topic applies the same records in the same order and agrees.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics, stop_consumer
from services.bus.producer_slot import ProducerSlot
from services.bus.settings import BusSettings
from services.registry.adapters import records
from services.registry.domain.model import RegistryRecord
from services.registry.domain.state import RegistryState
from services.registry.exceptions import StoreTimeoutError

log = structlog.get_logger(__name__)


class KafkaRegistryLog:
    """Replays and follows the schemas topic into `state`; appends records to it."""

    def __init__(
        self,
        settings: BusSettings,
        state: RegistryState,
        topic: str = topics.SCHEMAS,
        *,
        read_back_timeout_s: float = 10.0,
    ) -> None:
        """Use `topic` on the cluster of `settings`; nothing connects until `start`."""
        self._settings = settings
        self._state = state
        self._topic = topic
        self._partition = TopicPartition(topic, 0)
        self._timeout_s = read_back_timeout_s
        self._producer: ProducerSlot | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._applied = asyncio.Condition()
        self._next_offset = 0
        self._follower: asyncio.Task[None] | None = None

    @property
    def topic(self) -> str:
        """The topic this log lives in."""
        return self._topic

    @property
    def following(self) -> bool:
        """True while the log is replayed and its follower still reads the topic."""
        return self._follower is not None and not self._follower.done()

    async def start(self) -> None:
        """Create the topic if missing, replay it to its end, then follow it."""
        await ensure_topics(self._settings, [self._topic])  # compacted, 1 partition: the policy
        self._producer = ProducerSlot(lambda: build_producer(self._settings))
        self._consumer = consumer = build_consumer(self._settings, group_id=None)
        await self._producer.start()
        await consumer.start()
        consumer.assign([self._partition])
        await consumer.seek_to_beginning(self._partition)
        end = (await consumer.end_offsets([self._partition]))[self._partition]
        while await consumer.position(self._partition) < end:
            await self._read_batch(consumer)
        self._follower = asyncio.create_task(self._follow(), name=f"registry-log-{self._topic}")
        log.info("registry_log_replayed", topic=self._topic, records=self._next_offset)

    async def stop(self) -> None:
        """Stop following the topic and close the clients."""
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
        if self._consumer is not None:
            await stop_consumer(self._consumer)
        if self._producer is not None:
            await self._producer.stop()

    async def _follow(self) -> None:
        assert self._consumer is not None  # noqa: S101 - started by `start`
        try:
            while True:
                await self._read_batch(self._consumer)
        except Exception:
            log.exception("registry_log_follower_failed", topic=self._topic)
            raise

    async def _read_batch(self, consumer: AIOKafkaConsumer) -> None:
        batch = await consumer.getmany(self._partition, timeout_ms=200)
        for message in batch.get(self._partition, []):
            self._apply(message.offset, message.key, message.value)
        if batch:
            async with self._applied:
                self._applied.notify_all()

    def _apply(self, offset: int, key: bytes | None, value: bytes | None) -> None:
        try:
            record = records.decode(key, value)
        except records.UnreadableRecordError as exc:
            # Replaying cannot dead-letter into its own log: say which offset was passed over.
            log.warning("registry_record_skipped", topic=self._topic, offset=offset, error=str(exc))
            record = None
        if record is not None and not self._state.apply(record):
            log.info("registry_record_lost_race", topic=self._topic, offset=offset)
        self._next_offset = offset + 1

    async def append(self, record: RegistryRecord) -> None:
        """Produce `record` and wait until it has been read back and applied."""
        if self._producer is None:
            raise StoreTimeoutError(f"the registry log on {self._topic} is not started")
        key, value = records.encode(record)
        sent = await self._producer.send_and_wait(self._topic, value, key=key, partition=0)
        try:
            async with asyncio.timeout(self._timeout_s), self._applied:
                await self._applied.wait_for(lambda: self._next_offset > sent.offset)
        except TimeoutError:
            raise StoreTimeoutError(
                f"the write to {self._topic} at offset {sent.offset} was not read back "
                f"within {self._timeout_s:g}s"
            ) from None
