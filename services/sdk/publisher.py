"""`Publisher`: validate, encode and send events to `ingest.<agency>`, keyed by child_ref."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

from aiokafka.errors import KafkaError

from schemas.codec import AvroCodec
from schemas.exceptions import EventValidationError
from schemas.schema_source import SchemaSource
from schemas.validation import EventValidator
from services.bus import topics
from services.bus.kafka import build_producer
from services.bus.settings import BusSettings
from services.sdk.exceptions import PublishError, WrongAgencyError
from services.sdk.publishable import publishable_event_types

Prepared = tuple[dict[str, Any], bytes]


class RecordProducer(Protocol):
    """What a publisher needs of a producer: aiokafka's, or one standing in for it."""

    async def start(self) -> None:
        """Connect (for a publisher that owns its producer)."""
        ...

    async def stop(self) -> None:
        """Flush and disconnect."""
        ...

    async def send(self, topic: str, value: bytes, key: bytes | None = None) -> asyncio.Future[Any]:
        """Hand one record over; the future resolves once the broker has it."""
        ...


class EventModel(Protocol):
    """A generated event model (schemas/models): anything with `to_record()`."""

    def to_record(self) -> dict[str, Any]:
        """The fastavro record of the event."""
        ...


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where a published event landed."""

    event_id: str
    topic: str
    partition: int
    offset: int


def as_record(event: Mapping[str, Any] | EventModel) -> dict[str, Any]:
    """An event as a fastavro record dict, whether given as a dict or a model."""
    if isinstance(event, Mapping):
        return dict(event)
    return event.to_record()


class Publisher:
    """Publishes one agency's events with an idempotent producer (acks=all).

    Several publishers may share one producer (the gateway does); whoever
    built the producer starts and stops it. `connect()` builds a publisher
    that owns its producer: `async with` starts and stops it.
    """

    def __init__(
        self,
        agency: str,
        producer: RecordProducer,
        codec: AvroCodec,
        validator: EventValidator | None = None,
    ) -> None:
        """Publish for `agency` through `producer`, encoding with `codec`."""
        self.agency = agency
        self.topic = topics.ingest(agency)
        self._producer = producer
        self._codec = codec
        self._validator = validator or EventValidator()
        self._publishable = publishable_event_types()

    @classmethod
    def connect(cls, settings: BusSettings, agency: str, schema_source: SchemaSource) -> Self:
        """A publisher with its own producer built from settings (start it with `async with`)."""
        return cls(agency, build_producer(settings), AvroCodec(schema_source))

    async def __aenter__(self) -> Self:
        """Start the producer."""
        try:
            await self._producer.start()
        except KafkaError as exc:
            raise PublishError(f"cannot connect to Kafka to publish: {exc}") from exc
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Flush and stop the producer."""
        await self._producer.stop()

    def asks_registry(self, event: Mapping[str, Any]) -> bool:
        """True when preparing `event` may wait on the schema registry (its type is not cached).

        An asyncio caller then prepares it in a thread, so a slow registry
        stalls that request only, not every request on the event loop.
        """
        return not self._codec.knows_writer(str(event.get("event_type")))

    def prepare(self, event: Mapping[str, Any] | EventModel) -> Prepared:
        """Validate and encode an event; raise with the field and the rule when it is bad."""
        record = as_record(event)
        event_type = record.get("event_type")
        if event_type not in self._publishable:
            raise EventValidationError(
                "event_type", f"{event_type!r} is not an event type agencies publish"
            )
        source = record.get("source")
        agency = source.get("agency") if isinstance(source, Mapping) else None
        if agency != self.agency:
            raise WrongAgencyError(
                "source.agency", f"must be {self.agency!r}, the agency this publisher publishes for"
            )
        self._validator.validate(record)
        return record, self._codec.encode(str(event_type), record)

    async def send_prepared(self, record: Mapping[str, Any], value: bytes) -> Receipt:
        """Send an already validated and encoded event; return where it landed."""
        return (await self.send_many([(dict(record), value)]))[0]

    async def publish(self, event: Mapping[str, Any] | EventModel) -> Receipt:
        """Validate, encode and send one event; return where it landed."""
        record, value = self.prepare(event)
        return await self.send_prepared(record, value)

    async def publish_many(self, events: Iterable[Mapping[str, Any] | EventModel]) -> list[Receipt]:
        """Validate every event first (nothing is sent if one is bad), then send them all."""
        return await self.send_many([self.prepare(event) for event in events])

    async def send_many(self, prepared: Sequence[Prepared]) -> list[Receipt]:
        """Send prepared events in order, batched by the producer; return where each landed.

        The idempotent producer keeps them in order per partition. If Kafka
        fails part-way, some may have been written: send them again (consumers
        de-duplicate by event_id).
        """
        pending = await self.enqueue(prepared)
        try:
            landed = await asyncio.gather(*pending)
        except KafkaError as exc:
            raise PublishError(
                f"a batch of {len(prepared)} event(s) was not written: {exc}"
            ) from exc
        return self.receipts(prepared, landed)

    async def enqueue(self, prepared: Sequence[Prepared]) -> list[asyncio.Future[Any]]:
        """Hand prepared events to the producer in order; each future resolves once written.

        For callers that bound the wait themselves (the gateway): `receipts`
        turns what the futures give into receipts.
        """
        try:
            return [
                await self._producer.send(self.topic, value, key=str(record["child_ref"]).encode())
                for record, value in prepared
            ]
        except KafkaError as exc:
            raise PublishError(
                f"a batch of {len(prepared)} event(s) was not written: {exc}"
            ) from exc

    @staticmethod
    def receipts(prepared: Sequence[Prepared], landed: Sequence[Any]) -> list[Receipt]:
        """Where each prepared event landed, from the record metadata its future gave."""
        return [
            Receipt(str(record["event_id"]), meta.topic, meta.partition, meta.offset)
            for (record, _), meta in zip(prepared, landed, strict=True)
        ]
