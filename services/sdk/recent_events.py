"""`RecentEvents`: the de-duplication window of a subscriber, bounded in memory.

A view can hold one event twice: a publisher that resends after an error (the
SDK's `send_many`, a CSV import run again) publishes it again under the same
`event_id`, and each copy is decided and disclosed. The window remembers the
keys (publishing agency, event_id) of the last `capacity` events handled, and
forgets the oldest first; a copy arriving further apart than that, or after the
process restarted (the window lives in memory only), is handed over again.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final

DEFAULT_WINDOW: Final = 100_000
EventKey = tuple[str, str]


class RecentEvents:
    """The last `capacity` event keys handled, oldest forgotten first."""

    def __init__(self, capacity: int = DEFAULT_WINDOW) -> None:
        """Remember up to `capacity` keys (0 turns de-duplication off)."""
        if capacity < 0:
            raise ValueError("capacity: must be 0 or more")
        self.capacity = capacity
        self._keys: OrderedDict[EventKey, None] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        """Whether `key` was handled within the window."""
        return key in self._keys

    def __len__(self) -> int:
        """How many keys the window holds now."""
        return len(self._keys)

    def add(self, key: EventKey) -> None:
        """Remember `key` as handled; forget the oldest key when the window is full.

        A key is as old as its first handling: handling it again does not renew it.
        """
        if self.capacity == 0 or key in self._keys:
            return
        self._keys[key] = None
        if len(self._keys) > self.capacity:
            self._keys.popitem(last=False)
