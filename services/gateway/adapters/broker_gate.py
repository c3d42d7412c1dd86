"""Whether the gateway can write to the bus now, and writes that wait a bounded time.

A background task asks the broker for metadata over the producer's own
connection every `probe_interval_s`; while it gets no answer the broker is
unreachable and every write is refused at once with 503 and Retry-After,
before anything is handed to the producer. A write that the broker does not
acknowledge within `publish_timeout_s` is refused the same way; the producer
keeps retrying it, and `late` is told of it if the broker has it after all
(so a retry of the request is then answered `duplicate`). A 202 is only ever
given for records the broker has acknowledged (acks=all). A schema registry
that cannot be reached (or answers 5xx) while an event type's schema id is
looked up is a 503 too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import structlog
from aiokafka.errors import KafkaError

from schemas.registry_errors import RegistryRequestError, RegistryUnreachableError
from services.bus.producer_slot import ProducerSlot, failed_for_good
from services.gateway.exceptions import UnavailableError
from services.sdk.exceptions import PublishError

log = structlog.get_logger("joinedup.gateway")

UNREACHABLE: Final = "the broker is unreachable; nothing was published, try again later"
UNACKNOWLEDGED: Final = (
    "the broker did not acknowledge the events in time; try again later "
    "(a retry with the same event ids is safe)"
)
REGISTRY_DOWN: Final = "the schema registry is unreachable; nothing was published, try again later"
SERVER_ERROR: Final = 500


@dataclass(frozen=True, slots=True)
class OutageLimits:
    """How the gateway behaves when the broker does not answer."""

    publish_timeout_s: float = 2.0  # longest wait for the broker's acknowledgement
    probe_interval_s: float = 1.0  # how often the broker connection is checked
    retry_after_s: int = 5  # what a 503 tells the client to wait


class BrokerGate:
    """The broker's state as the gateway's producer sees it, and bounded writes through it."""

    def __init__(self, producer: ProducerSlot, limits: OutageLimits | None = None) -> None:
        """Watch and write through `producer` (started by the caller)."""
        self._producer = producer
        self.limits = limits or OutageLimits()
        self.reachable = True

    def unavailable(self, message: str) -> UnavailableError:
        """The 503 error for `message`, with the Retry-After of the limits."""
        return UnavailableError(message, self.limits.retry_after_s)

    def check(self) -> None:
        """Raise `UnavailableError` (503) at once while the broker is unreachable."""
        if not self.reachable:
            raise self.unavailable(UNREACHABLE)

    @contextmanager
    def registry_calls(self) -> Iterator[None]:
        """Turn an unreachable (or failing, 5xx) schema registry into `UnavailableError`."""
        try:
            yield
        except RegistryUnreachableError:
            log.warning("schema registry unreachable")
            raise self.unavailable(REGISTRY_DOWN) from None
        except RegistryRequestError as exc:
            if exc.status < SERVER_ERROR:
                raise
            log.warning("schema registry failed", status=exc.status)
            raise self.unavailable(REGISTRY_DOWN) from None

    def _mark(self, *, reachable: bool) -> None:
        if reachable != self.reachable:
            self.reachable = reachable
            if reachable:
                log.info("broker reachable again")
            else:
                log.warning("broker unreachable: refusing writes with 503 until it answers")

    async def probe(self) -> bool:
        """Ask the broker for metadata within the probe interval; note and return the answer."""
        try:
            async with asyncio.timeout(max(self.limits.probe_interval_s, 0.5)):
                await self._producer.client.fetch_all_metadata()
        except (TimeoutError, KafkaError, OSError):
            self._mark(reachable=False)
        else:
            self._mark(reachable=True)
        return self.reachable

    async def watch(self) -> None:
        """Probe the broker every `probe_interval_s` until cancelled."""
        while True:
            await asyncio.sleep(self.limits.probe_interval_s)
            await self.probe()

    async def written(
        self,
        send: Callable[[], Awaitable[Sequence[asyncio.Future[Any]]]],
        late: Callable[[list[Any]], None] | None = None,
    ) -> list[Any]:
        """Hand records to the producer with `send`; wait, bounded, until the broker has them.

        Returns what each record's future gave. Raises `UnavailableError` (503)
        when the broker is unreachable or does not acknowledge in time.
        """
        self.check()
        generation = self._producer.generation
        deadline = time.monotonic() + self.limits.publish_timeout_s
        try:
            async with asyncio.timeout(self.limits.publish_timeout_s):
                pending = await send()
        except (TimeoutError, KafkaError, PublishError) as exc:
            await self._refused(exc, generation)
            raise self.unavailable(UNACKNOWLEDGED) from None
        landed = asyncio.gather(*pending)
        try:
            async with asyncio.timeout(self._left(deadline)):
                return list(await asyncio.shield(landed))
        except (TimeoutError, KafkaError) as exc:
            landed.add_done_callback(_tell_late(late))
            await self._refused(exc, generation)
            raise self.unavailable(UNACKNOWLEDGED) from None

    async def _refused(self, exc: Exception, generation: int) -> None:
        log.warning("broker did not acknowledge a write", error=type(exc).__name__)
        if failed_for_good(exc):
            self._producer.renew(generation)  # the broker may be fine: the producer is not
        elif isinstance(exc, TimeoutError):
            # Slow is not down: a large batch on a busy broker can outlast the wait. Only
            # a broker that does not answer a metadata request either closes the gate.
            await self.probe()
        else:
            self._mark(reachable=False)

    @staticmethod
    def _left(deadline: float) -> float:
        return max(deadline - time.monotonic(), 0.0)


def _tell_late(
    late: Callable[[list[Any]], None] | None,
) -> Callable[[asyncio.Future[list[Any]]], None]:
    """A callback telling `late` of records the broker took after the wait was over."""

    def done(landed: asyncio.Future[list[Any]]) -> None:
        if landed.cancelled() or landed.exception() is not None:
            return  # the producer gave up: nothing was written, the client's retry writes it
        if late is not None:
            late(list(landed.result()))

    return done
