"""Idempotency per agency: an agency's event sent twice is stored once; its id is its own.

An event id is remembered under (publishing agency, event_id), with a digest of
the event's body: another agency using the same id is another event, and an
agency reusing its own id for a different body is a conflict, not a duplicate.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
EventKey = tuple[str, str]  # (publishing agency, event_id)


def body_digest(body: bytes) -> bytes:
    """The digest two bodies are compared by (SHA-256 of the encoded event)."""
    return hashlib.sha256(body).digest()


@dataclass(frozen=True, slots=True)
class Stored(Generic[T]):
    """An event already stored: where it landed and the digest of its body."""

    receipt: T
    digest: bytes


class SeenEvents(Generic[T]):
    """The most recent `capacity` stored events, by (agency, event_id), oldest forgotten first.

    Scope: one gateway process, bounded memory. Downstream consumers (router,
    thresholds) de-duplicate by event_id too, so a duplicate that outlives
    this window is still processed once.
    """

    def __init__(self, capacity: int = 1_000_000) -> None:
        """Remember at most `capacity` events."""
        self._capacity = capacity
        self._stored: OrderedDict[EventKey, Stored[T]] = OrderedDict()

    def get(self, agency: str, event_id: str) -> Stored[T] | None:
        """What `agency` stored under `event_id`, or None."""
        return self._stored.get((agency, event_id))

    def remember(self, agency: str, event_id: str, stored: Stored[T]) -> None:
        """Record that `agency` stored `event_id` as `stored`."""
        key = (agency, event_id)
        self._stored[key] = stored
        self._stored.move_to_end(key)
        while len(self._stored) > self._capacity:
            self._stored.popitem(last=False)
