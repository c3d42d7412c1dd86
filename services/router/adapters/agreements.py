"""Follow `consent.agreements` (compacted) into the router's policy index, in every worker.

Each router worker needs every agreement, so this reads all partitions
without a consumer group, from the beginning, and signals `ready` once it has
caught up with the end offsets it saw at start: no event is decided before.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition

from consent.domain.agreement import SharingAgreement
from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.bus import topics
from services.bus.kafka import build_consumer, described_partitions, stop_consumer
from services.bus.settings import BusSettings

log = structlog.get_logger(__name__)


class AgreementFeed:
    """Keeps the latest version of every agreement and calls `on_change` with them all."""

    def __init__(
        self,
        settings: BusSettings,
        codec: AvroCodec,
        on_change: Callable[[list[SharingAgreement]], None],
        topic: str = topics.CONSENT_AGREEMENTS,
    ) -> None:
        """Read `topic` (no consumer group), decode with `codec`."""
        self._settings = settings
        self._codec = codec
        self._on_change = on_change
        self._topic = topic
        self._latest: dict[str, SharingAgreement] = {}
        self.ready = asyncio.Event()

    def _apply(self, value: bytes | None, key: bytes | None) -> None:
        if value is None:  # a tombstone removes the agreement
            self._latest.pop((key or b"").decode(), None)
            return
        try:
            record = self._codec.decode(value)
            agreement = SharingAgreement.model_validate(json.loads(record["payload"]))
        except (ContractError, ValueError) as exc:
            log.exception("agreement record unreadable, ignored", error=str(exc))
            return
        current = self._latest.get(agreement.id)
        if current is None or agreement.version >= current.version:
            self._latest[agreement.id] = agreement

    async def run(self) -> None:
        """Read to the end, signal ready, then follow changes until cancelled."""
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
                        self._apply(record.value, record.key)
                if batch:
                    self._on_change(list(self._latest.values()))
                if not self.ready.is_set() and await _caught_up(consumer, ends):
                    self._on_change(list(self._latest.values()))
                    self.ready.set()
        finally:
            await stop_consumer(consumer)


async def _caught_up(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return False
    return True
