"""Records in and out of a stream processor, free of any Kafka client type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Incoming:
    """One consumed record."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()
    timestamp_ms: int = 0  # when it was published (Kafka's CreateTime); 0 when unknown

    def header(self, name: str) -> bytes | None:
        """The value of header `name` (the first one), or None."""
        return next((value for key, value in self.headers if key == name), None)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One record to write; `partition` None means Kafka's partitioner chooses by key."""

    topic: str
    key: bytes | None
    value: bytes | None
    partition: int | None = None
    headers: tuple[tuple[str, bytes], ...] = ()
