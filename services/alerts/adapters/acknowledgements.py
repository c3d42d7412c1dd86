"""Publishes acknowledgements to `alerts.acknowledged` (the thresholds service stops escalating)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from services.alerts.adapters.records import RecordCodec
from services.alerts.domain.model import Acknowledgement


class KafkaAcknowledgementSink:
    """Writes AlertAcknowledged events keyed by child_ref, waiting for the broker's ack."""

    def __init__(
        self,
        producer: Any,
        codec: RecordCodec,
        topic: str,
        clock: Callable[[], dt.datetime],
    ) -> None:
        """Publish through a started aiokafka producer."""
        self._producer = producer
        self._codec = codec
        self._topic = topic
        self._clock = clock

    async def publish(self, ack: Acknowledgement) -> None:
        """Write `ack` and wait until the broker has it."""
        value = self._codec.encode_acknowledgement(ack, self._clock())
        await self._producer.send_and_wait(self._topic, value, key=ack.child_ref.encode())
