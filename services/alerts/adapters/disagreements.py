"""Publishes a referrer's professional disagreement, raised on the duty page.

The event is the referrer agency's own (its source.agency), written to the
ingest topic of the duty page's bus agency, `ingest.joinedup-alerts`
(AlertsSettings.publisher_agency): the one ingest topic the alerts service's
principal may write (services/governance/acls.py), which the router and the
thresholds worker read as they read every agency's. Keyed by child_ref. The
router then decides who sees it and the thresholds worker starts its stage
clock. The write waits a bounded time for the broker; on an outage the duty
worker is told to try again (503), as for acknowledgements.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiokafka.errors import KafkaError

from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from schemas.validation import EventValidator
from services.alerts.adapters.acknowledgements import PUBLISH_TIMEOUT_S
from services.alerts.exceptions import BusUnavailableError, DisagreementRefusedError

EVENT_TYPE = "ProfessionalDisagreementRaised"


class KafkaDisagreementSink:
    """Validates, encodes and writes disagreement events, waiting for the broker's ack."""

    def __init__(
        self,
        producer: Any,
        codec: AvroCodec,
        validator: EventValidator,
        topic: str,
        timeout_s: float = PUBLISH_TIMEOUT_S,
    ) -> None:
        """Publish to `topic` through a started aiokafka producer, at most `timeout_s` a write."""
        self._producer = producer
        self._topic = topic
        self._codec = codec
        self._validator = validator
        self._timeout_s = timeout_s

    async def publish(self, event: Mapping[str, Any]) -> None:
        """Write `event` to the duty page's ingest topic; BusUnavailableError if unconfirmed.

        A retry after a 503 publishes the same event id again: the thresholds
        worker applies an agency's event once, the router's decision ids repeat.
        """
        try:
            self._validator.validate(event)
            value = self._codec.encode(EVENT_TYPE, dict(event))
        except ContractError as exc:
            raise DisagreementRefusedError(f"the disagreement is not valid: {exc}") from exc
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._producer.send_and_wait(
                    self._topic, value, key=str(event["child_ref"]).encode()
                )
        except (TimeoutError, KafkaError) as exc:
            raise BusUnavailableError(
                "the bus did not confirm the disagreement in time; try again shortly"
            ) from exc
