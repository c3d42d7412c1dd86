"""Read a page of an agency's view from a cursor: group-less read_committed consumers, pooled.

Each consumer is assigned every partition of one `view.<agency>` (no consumer
group, nothing committed) and, for each request, seeks to the cursor's
offsets. The next cursor is the consumer's position after the page, which
steps over transaction markers and the records of aborted transactions, so a
cursor never points at something a read_committed reader would skip again.
A few consumers per agency are kept between requests (`per_agency`), paused
(fetching nothing) while no request holds them; a request finding them all
busy waits for one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from aiokafka import TopicPartition

from services.bus import topics
from services.bus.kafka import stop_consumer
from services.view_feed.domain.cursor import Cursor
from services.view_feed.exceptions import CursorError

# How long a page waits for records the view is known to hold (its end is past
# the cursor) before answering with what it has.
DATA_WAIT_S: Final = 2.0

BuildConsumer = Callable[[], Any]
PartitionsOf = Callable[[str], Awaitable[list[int]]]


@dataclass(frozen=True)
class RawPage:
    """The records of one page, in order per partition, and each partition's next offset."""

    records: list[Any]
    positions: dict[int, int]


class ViewReader:
    """One started consumer assigned every partition of one agency's view."""

    def __init__(self, consumer: Any, topic: str, partitions: list[int]) -> None:
        """Read `partitions` of `topic` with a started, group-less `consumer`."""
        self.topic = topic
        self.partitions = [TopicPartition(topic, p) for p in partitions]
        self._consumer = consumer
        consumer.assign(self.partitions)

    def _follow_growth(self) -> None:
        """Read partitions added to the view since this reader was made (a cursor may name them)."""
        known = self._consumer.partitions_for_topic(self.topic)
        if known and len(known) > len(self.partitions):
            self.partitions = [TopicPartition(self.topic, p) for p in sorted(known)]
            self._consumer.assign(self.partitions)

    async def _seek(self, cursor: Cursor) -> dict[TopicPartition, int]:
        """Seek every partition to the cursor; return each partition's end (last stable offset)."""
        self._follow_growth()
        unknown = sorted(set(cursor.offsets) - {tp.partition for tp in self.partitions})
        if unknown:
            raise CursorError(f"names partition {unknown[0]}, which {self.topic} does not have")
        ends: dict[TopicPartition, int] = await self._consumer.end_offsets(self.partitions)
        if any(cursor.start(tp.partition) > ends[tp] for tp in self.partitions):
            raise CursorError("is past the end of the view; start again without a cursor")
        # A partition already there keeps what the consumer fetched ahead (a seek drops it).
        moved = [
            tp
            for tp in self.partitions
            if await self._consumer.position(tp) != cursor.start(tp.partition)
        ]
        if moved:
            begins = await self._consumer.beginning_offsets(moved)
            for tp in moved:
                self._consumer.seek(tp, max(cursor.start(tp.partition), begins[tp]))
        return ends

    async def _behind(self, ends: dict[TopicPartition, int]) -> bool:
        """Whether some partition still holds records the page has not reached."""
        for tp in self.partitions:
            if await self._consumer.position(tp) < ends[tp]:
                return True
        return False

    async def read(self, cursor: Cursor, limit: int, wait_s: float) -> RawPage:
        """Up to `limit` records from `cursor`; wait up to `wait_s` when none are there yet.

        Records already in the view are returned at once (up to `limit`); at
        the view's end the request waits until records arrive or `wait_s`
        runs out, and returns as soon as any arrive.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        ends = await self._seek(cursor)
        records: list[Any] = []
        while len(records) < limit:
            behind = await self._behind(ends)
            if not behind and records:
                break
            remaining = deadline - loop.time()
            if not behind and remaining <= 0:
                break
            timeout_s = DATA_WAIT_S if behind else remaining
            batches = await self._consumer.getmany(
                *self.partitions,
                timeout_ms=max(1, int(timeout_s * 1000)),
                max_records=limit - len(records),
            )
            fetched = [record for batch in batches.values() for record in batch]
            records.extend(fetched)
            if fetched and not behind:
                break  # a long-poll woke up: answer now
            if not fetched and behind and (records or loop.time() >= deadline):
                break
        positions = {tp.partition: await self._consumer.position(tp) for tp in self.partitions}
        return RawPage(records, positions)

    def wake(self) -> None:
        """Fetch again: the reader is lent to a request."""
        self._consumer.resume(*self.partitions)

    def rest(self) -> None:
        """Stop fetching while the reader waits in the pool (no load on the broker)."""
        self._consumer.pause(*self.partitions)

    async def close(self) -> None:
        """Stop the consumer."""
        await stop_consumer(self._consumer)


class ViewReaderPool:
    """A few started readers per agency's view, lent out one request at a time."""

    def __init__(self, build: BuildConsumer, partitions_of: PartitionsOf, per_agency: int) -> None:
        """Build consumers with `build`; learn a view's partitions with `partitions_of`."""
        self._build = build
        self._partitions_of = partitions_of
        self._per_agency = per_agency
        self._idle: dict[str, list[ViewReader]] = {}
        self._slots: dict[str, asyncio.Semaphore] = {}

    async def _new_reader(self, agency: str) -> ViewReader:
        topic = topics.view(agency)
        partitions = await self._partitions_of(topic)
        if not partitions:
            raise LookupError(f"{topic} does not exist")
        consumer = self._build()
        try:
            await consumer.start()
            return ViewReader(consumer, topic, partitions)
        except BaseException:
            await stop_consumer(consumer)
            raise

    @contextlib.asynccontextmanager
    async def reader(self, agency: str) -> AsyncIterator[ViewReader]:
        """Lend a reader of `agency`'s view; one that failed is closed, not lent again."""
        slots = self._slots.setdefault(agency, asyncio.Semaphore(self._per_agency))
        async with slots:
            idle = self._idle.setdefault(agency, [])
            reader = idle.pop() if idle else await self._new_reader(agency)
            reader.wake()
            try:
                yield reader
            except CursorError:
                reader.rest()
                idle.append(reader)  # the request was wrong, not the reader
                raise
            except BaseException:
                await reader.close()
                raise
            reader.rest()
            idle.append(reader)

    async def close(self) -> None:
        """Stop every idle reader (call once no request is running)."""
        for readers in self._idle.values():
            for reader in readers:
                await reader.close()
        self._idle.clear()
