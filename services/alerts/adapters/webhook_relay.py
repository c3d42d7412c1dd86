"""Relays each alert of a view to its agency's webhooks; undeliverable ones are dead-lettered.

A consumer group commits after each batch, so a restart resumes where it left
off (at-least-once: receivers de-duplicate on `X-Joinedup-Event-Id`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import structlog

from services.alerts.adapters.records import RecordCodec
from services.alerts.adapters.webhooks import WebhookSender
from services.alerts.domain.delivery import webhook_body
from services.alerts.domain.model import Alert
from services.alerts.exceptions import UnreadableRecordError
from services.bus.deadletter import DeadLetter

log = structlog.get_logger("joinedup.alerts.webhooks")


class WebhookRelay:
    """Reads the views of agencies with webhooks and POSTs their alerts."""

    def __init__(  # noqa: PLR0913 - the relay's collaborators, each injected
        self,
        consumer: Any,
        producer: Any,
        *,
        codec: RecordCodec,
        sender: WebhookSender,
        targets: Mapping[str, tuple[str, ...]],
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
            await self._consumer.stop()

    async def relay(self, record: Any) -> None:
        """Deliver one view record if it is an alert of an agency with webhooks."""
        try:
            disclosed = self._codec.disclosed(record.value)
        except UnreadableRecordError as exc:
            await self._dead_letter(record, "undecodable", str(exc), url="")
            return
        urls = self._targets.get(disclosed.recipient, ())
        if not disclosed.is_alert or not urls:
            return
        alert = Alert.from_disclosed(disclosed)
        body = webhook_body(alert, self._clock())
        for url in urls:
            outcome = await self._sender.deliver(url, body, disclosed.event_id)
            if outcome.delivered:
                self.delivered += 1
                log.info("webhook delivered", child_ref=alert.child_ref, attempts=outcome.attempts)
            else:
                error = f"{outcome.attempts} attempt(s), last: {outcome.reason}"
                await self._dead_letter(record, "webhook-undeliverable", error, url=url)

    async def _dead_letter(self, record: Any, reason: str, error: str, url: str) -> None:
        letter = DeadLetter(
            record.topic, record.partition, record.offset, reason, error, record.key, record.value
        )
        parts = urlsplit(url)
        headers = [
            *letter.headers(),
            ("joinedup.webhook.url", f"{parts.netloc}{parts.path}".encode()),
        ]
        await self._producer.send_and_wait(
            self._deadletter_topic, record.value, key=record.key, headers=headers
        )
        self.dead_lettered += 1
        log.warning("webhook dead-lettered", reason=reason, error=error, topic=record.topic)
