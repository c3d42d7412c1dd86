"""A service's one producer, replaced by a fresh one when it has failed for good.

aiokafka's idempotent producer stops for good on some errors: a batch that
expires while a restarting broker has no partition leader still used up its
sequence number, the next batch is refused with OutOfOrderSequenceNumber, the
sender task ends, and every later `send` raises that error. A broker outage
would then end the service's publishing until a restart (gateway, consent
service, alerts, registry). The slot hands
`send` to the current producer and, told that it failed so, starts a new one
(a new producer id, sequences from zero) in its place.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Final

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    KafkaError,
    OutOfOrderSequenceNumber,
    ProducerClosed,
    ProducerFenced,
    UnknownProducerId,
)

log = structlog.get_logger("joinedup.bus")

# Errors after which the producer never writes again (its sender task has ended).
FATAL: Final = (OutOfOrderSequenceNumber, ProducerFenced, UnknownProducerId, ProducerClosed)
STOP_TIMEOUT_S: Final = 10.0


def failed_for_good(exc: BaseException | None) -> bool:
    """True when `exc`, or an error it was raised from, ends a producer for good."""
    while exc is not None:
        if isinstance(exc, FATAL):
            return True
        exc = exc.__cause__
    return False


class ProducerSlot:
    """Sends through the current producer; `renew` replaces one that failed for good."""

    def __init__(self, build: Callable[[], AIOKafkaProducer]) -> None:
        """Build producers with `build` (started by `start` and `renew`)."""
        self._build = build
        self.current = build()
        self.generation = 0
        self._renewing = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def client(self) -> Any:
        """The current producer's client (cluster metadata, connections)."""
        return self.current.client

    async def start(self) -> None:
        """Start the current producer."""
        await self.current.start()

    async def stop(self) -> None:
        """Let a replacement under way finish, then flush and stop the current producer."""
        if self._tasks:
            await asyncio.wait(self._tasks)
        await self.current.stop()

    async def send(self, topic: str, value: bytes, key: bytes | None = None) -> asyncio.Future[Any]:
        """Hand one record to the current producer; the future resolves once it is written."""
        written: asyncio.Future[Any] = await self.current.send(topic, value, key=key)
        return written

    async def send_and_wait(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None = None,
        partition: int | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> Any:
        """Write one record and wait for the broker; a producer that failed for good is renewed.

        The error still reaches the caller (the record was not written, the
        caller answers as for an outage); the next call uses the fresh producer.
        """
        generation = self.generation
        try:
            return await self.current.send_and_wait(
                topic, value, key=key, partition=partition, headers=headers
            )
        except KafkaError as exc:
            if failed_for_good(exc):
                await self._renew(generation)
            raise

    def renew(self, generation: int) -> None:
        """Replace the producer of `generation`, in the background, by a started new one."""
        task = asyncio.create_task(self._renew(generation), name="producer-renew")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _renew(self, generation: int) -> None:
        async with self._renewing:
            if generation != self.generation:
                return  # already replaced
            fresh = self._build()
            try:
                await fresh.start()
            except KafkaError as exc:
                log.warning("producer not replaced yet", error=type(exc).__name__)
                await fresh.stop()
                return
            failed, self.current = self.current, fresh
            self.generation += 1
            log.warning("producer failed for good and was replaced", generation=self.generation)
        await _retire(failed)


async def _retire(producer: AIOKafkaProducer) -> None:
    """Stop a failed producer (its batches have all failed: nothing is left to flush)."""
    with contextlib.suppress(TimeoutError, KafkaError):
        async with asyncio.timeout(STOP_TIMEOUT_S):
            await producer.stop()
