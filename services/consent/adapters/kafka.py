"""Consent changes to Kafka: Avro records on the compacted consent topics, and replay.

Agreements are keyed by id; directives by `<child_ref>/<directive_id>` and sent
to partition_for(child_ref), so the router reads them in order with the child's
events (consent/records.py).
"""

from __future__ import annotations

import json

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from consent.domain.agreement import SharingAgreement
from consent.domain.directive import ConsentDirective
from consent.records import agreement_record, directive_key, directive_record
from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.bus.kafka import (
    build_consumer,
    described_partitions,
    partition_for,
    stop_consumer,
)
from services.bus.settings import BusSettings
from services.consent.adapters.topics import ConsentTopics
from services.consent.state import ConsentState

log = structlog.get_logger("joinedup.consent")


class KafkaConsentPublisher:
    """Publishes agreement and directive versions, waiting for the broker's acknowledgement."""

    def __init__(self, producer: AIOKafkaProducer, codec: AvroCodec, names: ConsentTopics) -> None:
        """Write with `producer` (started by the caller), encode with `codec`."""
        self._producer = producer
        self._codec = codec
        self._topics = names

    async def publish_agreement(self, agreement: SharingAgreement) -> None:
        """Send the SharingAgreementPublished record keyed by the agreement id."""
        value = self._codec.encode("SharingAgreementPublished", agreement_record(agreement))
        await self._producer.send_and_wait(
            self._topics.agreements, value, key=agreement.id.encode()
        )

    async def publish_directive(self, directive: ConsentDirective, version: int) -> None:
        """Send the ConsentDirectiveRecorded record to its child's partition."""
        topic = self._topics.directives
        value = self._codec.encode("ConsentDirectiveRecorded", directive_record(directive, version))
        partitions = await self._producer.partitions_for(topic)
        await self._producer.send_and_wait(
            topic,
            value,
            key=directive_key(directive),
            partition=partition_for(directive.child_ref, len(partitions)),
        )


async def read_to_end(
    consumer: AIOKafkaConsumer, topic: str, partitions: list[int]
) -> list[tuple[bytes | None, bytes | None]]:
    """Every (key, value) of `topic`'s `partitions` from the beginning to their current ends."""
    assigned = [TopicPartition(topic, p) for p in partitions]
    if not assigned:
        return []
    consumer.assign(assigned)
    await consumer.seek_to_beginning(*assigned)
    ends = await consumer.end_offsets(assigned)
    found: list[tuple[bytes | None, bytes | None]] = []
    pending = {tp for tp in assigned if ends[tp] > 0}
    while pending:
        batch = await consumer.getmany(*pending, timeout_ms=500)
        for tp, messages in batch.items():
            found.extend((m.key, m.value) for m in messages if m.offset < ends[tp])
        pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    return found


def apply_agreement_record(
    state: ConsentState, codec: AvroCodec, key: bytes | None, value: bytes | None
) -> None:
    """Apply one consent.agreements record (a tombstone forgets the agreement)."""
    if value is None:
        state.forget_agreement((key or b"").decode())
        return
    try:
        record = codec.decode(value)
        state.apply_agreement(SharingAgreement.model_validate(json.loads(record["payload"])))
    except (ContractError, ValueError) as exc:
        log.warning("agreement record unreadable, skipped", error=type(exc).__name__)


def apply_directive_record(
    state: ConsentState, codec: AvroCodec, key: bytes | None, value: bytes | None
) -> None:
    """Apply one consent.directives record (a tombstone forgets the directive)."""
    if value is None:
        child_ref, _, directive_id = (key or b"").decode().rpartition("/")
        state.forget_directive(child_ref, directive_id)
        return
    try:
        record = codec.decode(value)
        directive = ConsentDirective.model_validate(json.loads(record["payload"]))
        state.apply_directive(directive, int(record["version"]))
    except (ContractError, ValueError) as exc:
        log.warning("directive record unreadable, skipped", error=type(exc).__name__)


async def replay(settings: BusSettings, codec: AvroCodec, names: ConsentTopics) -> ConsentState:
    """The state the consent topics hold, read to their ends with a group-less consumer."""
    state = ConsentState()
    agreements = await described_partitions(settings, names.agreements)
    directives = await described_partitions(settings, names.directives)
    consumer = build_consumer(settings, group_id=None)
    await consumer.start()
    try:
        for key, value in await read_to_end(consumer, names.agreements, agreements):
            apply_agreement_record(state, codec, key, value)
        for key, value in await read_to_end(consumer, names.directives, directives):
            apply_directive_record(state, codec, key, value)
    finally:
        await stop_consumer(consumer)
    log.info(
        "consent state rebuilt", agreements=len(state.agreements), children=len(state.directives)
    )
    return state
