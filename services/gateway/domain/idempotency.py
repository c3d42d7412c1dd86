"""Idempotency by event_id: the same event sent twice is stored once."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")


class SeenEvents(Generic[T]):
    """The receipts of the most recent `capacity` event ids, oldest forgotten first.

    Scope: one gateway process, bounded memory. Downstream consumers (router,
    thresholds) de-duplicate by event_id too, so a duplicate that outlives
    this window is still processed once.
    """

    def __init__(self, capacity: int = 1_000_000) -> None:
        """Remember at most `capacity` event ids."""
        self._capacity = capacity
        self._receipts: OrderedDict[str, T] = OrderedDict()

    def get(self, event_id: str) -> T | None:
        """The receipt of an event already stored, or None."""
        return self._receipts.get(event_id)

    def remember(self, event_id: str, receipt: T) -> None:
        """Record that `event_id` was stored with `receipt`."""
        self._receipts[event_id] = receipt
        self._receipts.move_to_end(event_id)
        while len(self._receipts) > self._capacity:
            self._receipts.popitem(last=False)
