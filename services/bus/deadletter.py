"""Dead letters: what could not be processed, kept with why, never dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import structlog

from services.bus import topics
from services.bus.records import Incoming, Outgoing

log = structlog.get_logger(__name__)
REASON_HEADER: Final = "joinedup.reason"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One record that could not be processed, with the reason and where it came from."""

    source_topic: str
    partition: int
    offset: int
    reason: str
    error: str
    key: bytes | None
    value: bytes | None

    @property
    def topic(self) -> str:
        """`deadletter.<source>`: the source topic name without its `ingest.` prefix."""
        return topics.deadletter(self.source_topic.removeprefix("ingest."))

    def headers(self) -> list[tuple[str, bytes]]:
        """Kafka headers carrying the reason (no payload content, no identifiers)."""
        return [
            (REASON_HEADER, self.reason.encode()),
            ("joinedup.error", self.error[:500].encode()),
            ("joinedup.source.topic", self.source_topic.encode()),
            ("joinedup.source.partition", str(self.partition).encode()),
            ("joinedup.source.offset", str(self.offset).encode()),
        ]


def dead_letter(record: Incoming, reason: str, error: str) -> Outgoing:
    """The record as it came, bound for `deadletter.<source>` with the reason in headers."""
    letter = DeadLetter(
        record.topic, record.partition, record.offset, reason, error, record.key, record.value
    )
    log.warning("dead-lettered", topic=letter.source_topic, offset=letter.offset, reason=reason)
    return Outgoing(letter.topic, letter.key, letter.value, None, tuple(letter.headers()))
