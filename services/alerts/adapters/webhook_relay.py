"""Relays view records to the webhooks that want them; undeliverable ones are dead-lettered.

Each alert disclosed to an agency goes to the agency's alert webhooks
(webhooks.yaml); each disclosure of an event type an agency's system
subscribed to goes to that subscription's URL (view-webhooks.yaml). A consumer
group commits after each batch, so a restart resumes where it left off
(at-least-once: receivers de-duplicate on `X-Joinedup-Event-Id`). A delivery
that fails every attempt is dead-lettered with its URL (host and path) and
kind; `redeliver` sends one again (`joinedup alerts webhooks replay`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

import structlog

from services.alerts.adapters.records import RecordCodec
from services.alerts.adapters.webhooks import WebhookSender
from services.alerts.domain.delivery import disclosure_body, webhook_body
from services.alerts.domain.model import Alert, Disclosed
from services.alerts.domain.webhook_targets import (
    Delivery,
    DeliveryKind,
    WebhookTargets,
    url_tail,
)
from services.alerts.exceptions import UnreadableRecordError
from services.bus.deadletter import DeadLetter
from services.bus.kafka import stop_consumer
from services.sdk.disclosure import disclosure_from_record
from services.sdk.exceptions import NotADisclosureError

log = structlog.get_logger("joinedup.alerts.webhooks")

UNDELIVERABLE: Final = "webhook-undeliverable"
URL_HEADER: Final = "joinedup.webhook.url"
KIND_HEADER: Final = "joinedup.webhook.kind"
Redelivered = Literal["delivered", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """The view record a dead letter was made from, as its headers name it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None

    @classmethod
    def of_letter(cls, letter: Any) -> SourceRecord:
        """The source of a dead letter (KeyError/ValueError when its headers lack it)."""
        headers = dict(letter.headers or ())
        return cls(
            headers["joinedup.source.topic"].decode(),
            int(headers["joinedup.source.partition"]),
            int(headers["joinedup.source.offset"]),
            letter.key,
            letter.value,
        )


class WebhookRelay:
    """Reads the views of agencies with webhooks and POSTs their alerts and subscribed events."""

    def __init__(  # noqa: PLR0913 - the relay's collaborators, each injected
        self,
        consumer: Any,
        producer: Any,
        *,
        codec: RecordCodec,
        sender: WebhookSender,
        targets: WebhookTargets,
        deadletter_topic: str,
        clock: Callable[[], dt.datetime],
    ) -> None:
        """Read with a group consumer; dead-letter with a started producer."""
        self._consumer = consumer
        self._producer = producer
        self._codec = codec
        self._sender = sender
        self._targets = targets
        self._deadletter_topic = deadletter_topic
        self._clock = clock
        self.delivered = 0
        self.dead_lettered = 0

    async def run(self) -> None:
        """Relay until cancelled, committing after each batch."""
        await self._consumer.start()
        try:
            while True:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=100)
                for records in batches.values():
                    for record in records:
                        await self.relay(record)
                if batches:
                    await self._consumer.commit()
        finally:
            await stop_consumer(self._consumer)

    async def relay(self, record: Any) -> None:
        """Deliver one view record to every webhook of its agency that wants it."""
        read = await self._read(record)
        if read is None:
            return
        disclosed, decoded = read
        wanted = self._targets.deliveries(
            disclosed.recipient, disclosed.event_type, is_alert=disclosed.is_alert
        )
        for delivery in wanted:
            await self._send(record, disclosed, decoded, delivery)

    async def redeliver(self, letter: Any) -> Redelivered:
        """Send a dead letter's webhook again; a failure is dead-lettered again.

        Skipped: letters of records that could not be read (nothing to send),
        and those whose receiver is no longer configured.
        """
        headers = dict(letter.headers or ())
        if headers.get("joinedup.reason") != UNDELIVERABLE.encode():
            return "skipped"
        source = SourceRecord.of_letter(letter)
        kind: DeliveryKind = "disclosure" if headers.get(KIND_HEADER) == b"disclosure" else "alert"
        agency = source.topic.removeprefix("view.")
        delivery = self._targets.configured(agency, headers[URL_HEADER].decode(), kind)
        read = None if delivery is None else await self._read(source)
        if delivery is None or read is None:
            return "skipped"
        delivered = await self._send(source, read[0], read[1], delivery)
        return "delivered" if delivered else "failed"

    async def _read(self, record: Any) -> tuple[Disclosed, dict[str, Any]] | None:
        """The record as the model and decoded; None once an unreadable one is dead-lettered."""
        try:
            decoded = self._codec.view_record(record.value)
            return self._codec.disclosed_from(decoded), decoded
        except UnreadableRecordError as exc:
            await self._dead_letter(record, "undecodable", str(exc), None)
            return None

    def _body(
        self, record: Any, disclosed: Disclosed, decoded: dict[str, Any], delivery: Delivery
    ) -> bytes:
        if delivery.kind == "alert":
            return webhook_body(Alert.from_disclosed(disclosed), self._clock())
        disclosure = disclosure_from_record(decoded, record.partition, record.offset)
        return disclosure_body(disclosed.recipient, disclosure.as_json())

    async def _send(
        self, record: Any, disclosed: Disclosed, decoded: dict[str, Any], delivery: Delivery
    ) -> bool:
        """POST one webhook; dead-letter it when it cannot be made or delivered."""
        try:
            body = self._body(record, disclosed, decoded, delivery)
        except NotADisclosureError as exc:
            await self._dead_letter(record, "undecodable", str(exc), delivery)
            return False
        outcome = await self._sender.deliver(delivery.url, body, disclosed.event_id)
        if outcome.delivered:
            self.delivered += 1
            log.info("webhook delivered", kind=delivery.kind, attempts=outcome.attempts)
            return True
        error = f"{outcome.attempts} attempt(s), last: {outcome.reason}"
        await self._dead_letter(record, UNDELIVERABLE, error, delivery)
        return False

    async def _dead_letter(
        self, record: Any, reason: str, error: str, delivery: Delivery | None
    ) -> None:
        letter = DeadLetter(
            record.topic, record.partition, record.offset, reason, error, record.key, record.value
        )
        headers = [
            *letter.headers(),
            (URL_HEADER, b"" if delivery is None else url_tail(delivery.url).encode()),
        ]
        if delivery is not None:
            headers.append((KIND_HEADER, delivery.kind.encode()))
        await self._producer.send_and_wait(
            self._deadletter_topic, record.value, key=record.key, headers=headers
        )
        self.dead_lettered += 1
        log.warning("webhook dead-lettered", reason=reason, error=error, topic=record.topic)
