"""Identity stewards' decisions to and from identity.merges: publish one, replay them all.

A decision is keyed by the absorbed child_ref (the default partitioner puts it
in that child's partition, as every child-keyed topic); the topic is never
compacted or expired: it is the record of every decision.
"""

from __future__ import annotations

from typing import Any

import structlog
from aiokafka import AIOKafkaProducer

from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.bus.reading import records_to_end
from services.bus.settings import BusSettings
from services.identity.domain.merges import MergeLedger
from services.identity.merge_events import apply_merge_event

log = structlog.get_logger("joinedup.consent")


class KafkaMergePublisher:
    """Publishes ChildRefsMerged / ChildRefsUnmerged, waiting for the broker's acknowledgement."""

    def __init__(self, producer: AIOKafkaProducer, codec: AvroCodec, topic: str) -> None:
        """Write to `topic` with `producer` (started by the caller), encode with `codec`."""
        self._producer = producer
        self._codec = codec
        self._topic = topic

    async def publish(self, event_type: str, record: dict[str, Any], absorbed: str) -> None:
        """Send one decision keyed by the absorbed child_ref."""
        value = self._codec.encode(event_type, record)
        await self._producer.send_and_wait(self._topic, value, key=absorbed.encode())


async def replay_merges(settings: BusSettings, codec: AvroCodec, topic: str) -> MergeLedger:
    """Every decision on `topic`, read to its current end, in a ledger."""
    ledger = MergeLedger()
    async for record in records_to_end(settings, topic):
        try:
            apply_merge_event(ledger, codec.decode(record.value))
        except ContractError as exc:
            log.warning("merge record unreadable, skipped", error=type(exc).__name__)
    log.info("identity merges replayed", merges=len(ledger))
    return ledger
