"""Dead letters for the contract: a consumed record that cannot be decoded is kept, with why.

`DeadLetterDecoder.decode(record)` returns the event, or - when the record has
a bad magic byte, an unknown schema id or an undecodable body - writes it
unchanged to `deadletter.<source>` with the reason in headers and returns
None, so the consumer carries on with the next record. Nothing is dropped.
"""

from __future__ import annotations

from typing import Any, Final, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from schemas.codec import AvroCodec
from schemas.exceptions import (
    BadMagicByteError,
    ContractError,
    UndecodableBodyError,
    UnknownSchemaIdError,
)
from services.bus.deadletter import DeadLetter
from services.sdk.exceptions import PublishError

REASONS: Final[tuple[tuple[type[ContractError], str], ...]] = (
    (BadMagicByteError, "bad-magic-byte"),
    (UnknownSchemaIdError, "unknown-schema-id"),
    (UndecodableBodyError, "undecodable-body"),
)


class ConsumedRecord(Protocol):
    """What a consumer hands over (aiokafka's ConsumerRecord has these)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def reason_for(exc: ContractError) -> str:
    """The dead-letter reason of a decode failure (a short, stable slug)."""
    for kind, reason in REASONS:
        if isinstance(exc, kind):
            return reason
    return "contract-error"


def dead_letter_for(record: ConsumedRecord, exc: ContractError) -> DeadLetter:
    """The dead letter of a record that failed to decode with `exc`."""
    return DeadLetter(
        source_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        reason=reason_for(exc),
        error=str(exc),
        key=record.key,
        value=record.value,
    )


class DeadLetterDecoder:
    """Decodes consumed records; writes the ones that break the contract to a dead letter."""

    def __init__(self, codec: AvroCodec, producer: AIOKafkaProducer) -> None:
        """Decode with `codec`; dead-letter through `producer` (started by the caller)."""
        self._codec = codec
        self._producer = producer
        self.dead_lettered = 0

    async def decode(self, record: ConsumedRecord) -> dict[str, Any] | None:
        """The decoded event, or None once the record is safely in its dead-letter topic."""
        try:
            if record.value is None:
                raise UndecodableBodyError("record has no value (a tombstone is not an event)")
            return self._codec.decode(record.value)
        except ContractError as exc:
            await self.send(dead_letter_for(record, exc))
            return None

    async def send(self, letter: DeadLetter) -> None:
        """Write `letter` to its topic and wait for the broker's acknowledgement."""
        try:
            await self._producer.send_and_wait(
                letter.topic, letter.value, key=letter.key, headers=letter.headers()
            )
        except KafkaError as exc:
            raise PublishError(f"dead letter for {letter.topic} was not written: {exc}") from exc
        self.dead_lettered += 1
