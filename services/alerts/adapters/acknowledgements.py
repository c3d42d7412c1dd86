"""Publishes acknowledgements to `alerts.acknowledged` (the thresholds service stops escalating)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from aiokafka.errors import KafkaError

from services.alerts.adapters.records import RecordCodec
from services.alerts.domain.model import Acknowledgement
from services.alerts.exceptions import BusUnavailableError

# How long an acknowledgement waits for the broker before the duty worker is told to retry.
PUBLISH_TIMEOUT_S = 10.0


class KafkaAcknowledgementSink:
    """Writes AlertAcknowledged events keyed by child_ref, waiting for the broker's ack."""

    def __init__(
        self,
        producer: Any,
        codec: RecordCodec,
        topic: str,
        clock: Callable[[], dt.datetime],
        timeout_s: float = PUBLISH_TIMEOUT_S,
    ) -> None:
        """Publish through a started aiokafka producer, waiting at most `timeout_s` per write."""
        self._producer = producer
        self._timeout_s = timeout_s
        self._codec = codec
        self._topic = topic
        self._clock = clock

    async def publish(self, ack: Acknowledgement) -> None:
        """Write `ack` and wait, bounded, until the broker has it; BusUnavailableError if not.

        Acknowledging twice is harmless (the thresholds worker stops escalating
        on the first), so a worker told to retry may simply press again.
        """
        value = self._codec.encode_acknowledgement(ack, self._clock())
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._producer.send_and_wait(self._topic, value, key=ack.child_ref.encode())
        except (TimeoutError, KafkaError) as exc:
            raise BusUnavailableError(
                "the bus did not confirm the acknowledgement in time; try again shortly"
            ) from exc
