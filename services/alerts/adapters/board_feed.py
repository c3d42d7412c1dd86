"""The one consumer that rebuilds every served agency's board from Kafka.

It reads `view.<agency>` for each served agency and `alerts.acknowledged`
from the beginning, without a consumer group (nothing to commit: the board is
a read model rebuilt on every start). A record that cannot be read is logged
with its position and counted; the router owns dead-lettering of the view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

from services.alerts.adapters.records import RecordCodec
from services.alerts.domain.board import AlertBoards
from services.alerts.domain.model import Alert
from services.alerts.exceptions import UnreadableRecordError
from services.bus import topics
from services.bus.kafka import stop_consumer

log = structlog.get_logger("joinedup.alerts")


class BoardFeed:
    """Folds view records and acknowledgements into the boards; tells `on_change`."""

    def __init__(
        self,
        consumer: Any,
        codec: RecordCodec,
        boards: AlertBoards,
        acknowledged_topic: str,
        on_change: Callable[[Alert], None],
    ) -> None:
        """Read with `consumer` (built subscribed to `topic_names(...)`, no group)."""
        self._consumer = consumer
        self._codec = codec
        self._boards = boards
        self._acknowledged_topic = acknowledged_topic
        self._on_change = on_change
        self.records_read = 0
        self.records_skipped = 0

    @staticmethod
    def topic_names(boards: AlertBoards, acknowledged_topic: str) -> list[str]:
        """The view topic of every served agency, then the acknowledgements."""
        return [*(topics.view(agency) for agency in boards.agencies), acknowledged_topic]

    async def run(self) -> None:
        """Start the consumer and fold records in until cancelled; stop it on the way out."""
        await self._consumer.start()
        try:
            while True:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=2_000)
                for records in batches.values():
                    for record in records:
                        self.fold(record.topic, record.partition, record.offset, record.value)
        finally:
            await stop_consumer(self._consumer)

    def fold(self, topic: str, partition: int, offset: int, value: bytes | None) -> None:
        """Fold one record in (skipping, with a log line, what cannot be read)."""
        self.records_read += 1
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(topic=topic, partition=partition, offset=offset)
        try:
            changed = self._fold(topic, value)
        except UnreadableRecordError as exc:
            self.records_skipped += 1
            log.warning("record skipped: cannot be read", reason=str(exc))
            return
        finally:
            structlog.contextvars.clear_contextvars()
        if changed is not None:
            self._on_change(changed)

    def _fold(self, topic: str, value: bytes | None) -> Alert | None:
        if topic == self._acknowledged_topic:
            return self._boards.record_acknowledgement(self._codec.acknowledgement(value))
        disclosed = self._codec.disclosed(value)
        if topics.view(disclosed.recipient) != topic:
            raise UnreadableRecordError("recipient does not match the view topic")
        return self._boards.record_disclosed(disclosed)
