"""The live feed: Server-Sent Events per signed-in agency.

Each subscriber has a bounded queue; a subscriber too slow to keep up is
dropped (its browser reconnects and reloads the list) rather than holding
memory for ever.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from typing import Any

from starlette.requests import Request

from services.alerts.domain.model import Alert

KEEPALIVE_S = 15.0
_CLOSED: Any = object()


class FeedHub:
    """Fans alert changes out to the subscribers of the alert's agency."""

    def __init__(self, queue_size: int = 256) -> None:
        """No subscribers yet."""
        self._queue_size = queue_size
        self._subscribers: dict[str, set[asyncio.Queue[Any]]] = {}

    def subscribe(self, agency: str) -> asyncio.Queue[Any]:
        """A queue receiving the changed alerts of `agency`."""
        queue: asyncio.Queue[Any] = asyncio.Queue(self._queue_size)
        self._subscribers.setdefault(agency, set()).add(queue)
        return queue

    def unsubscribe(self, agency: str, queue: asyncio.Queue[Any]) -> None:
        """Stop sending to `queue`."""
        self._subscribers.get(agency, set()).discard(queue)

    def subscribers(self, agency: str) -> int:
        """How many feeds of `agency` are open."""
        return len(self._subscribers.get(agency, ()))

    def publish(self, alert: Alert) -> None:
        """Send a changed alert to its agency's subscribers only."""
        for queue in list(self._subscribers.get(alert.agency, ())):
            try:
                queue.put_nowait(alert)
            except asyncio.QueueFull:
                self.unsubscribe(alert.agency, queue)
                with suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
                queue.put_nowait(_CLOSED)

    def close(self) -> None:
        """Tell every open feed to end (on shutdown)."""
        for queues in self._subscribers.values():
            for queue in queues:
                with suppress(asyncio.QueueFull):
                    queue.put_nowait(_CLOSED)
        self._subscribers.clear()


def sse_message(event: str, data: dict[str, Any]) -> str:
    """One Server-Sent Event."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def sse_stream(
    hub: FeedHub,
    agency: str,
    request: Request,
    message: Callable[[Alert], dict[str, Any]],
    keepalive_s: float = KEEPALIVE_S,
) -> AsyncIterator[str]:
    """Events for one subscriber until it disconnects or the hub closes."""
    queue = hub.subscribe(agency)
    try:
        yield "retry: 3000\n" + sse_message("ready", {"agency": agency})
        while not await request.is_disconnected():
            try:
                alert = await asyncio.wait_for(queue.get(), timeout=keepalive_s)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if alert is _CLOSED:
                return
            yield sse_message("alert", message(alert))
    finally:
        hub.unsubscribe(agency, queue)
