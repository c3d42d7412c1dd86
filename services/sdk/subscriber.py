"""`Subscriber`: an agency system receives its view, decoded, de-duplicated, at least once.

    async with Subscriber.connect(settings, "school-100001", "case-system", source) as subscriber:
        async for disclosure in subscriber:
            await store(disclosure)

    async with Subscriber.connect(settings, "school-100001", "case-system", source) as subscriber:
        await subscriber.run(store)  # until cancelled

Reading: `view.<agency>` with isolation.level=read_committed (the router writes
views in transactions; records of an aborted one are never handed over), in the
consumer group `<agency>-<name>` (an agency's principal may use groups
prefixed with its id only). A new group starts at the view's beginning.

At least once: offsets are committed only past disclosures the application
finished with. In `run` that is when the handler returns; in the `async for`
form, when the loop asks for the next disclosure (one whose loop body raised
or broke out is not committed, and is handed over again by a later loop over
the subscriber or after a restart). Commits happen when a fetched batch (up to
`max_batch` records) is used up, every `commit_interval_s` and on close, so a
process killed mid-batch is handed that batch's disclosures again: handlers
must be idempotent on `Disclosure.key`.

De-duplication: the keys (publisher, event_id) of the last `dedup_window`
disclosures handled are remembered in memory (services/sdk/recent_events.py);
a copy of one of them is skipped, and committed, without reaching the handler.

Dead letters: a record that cannot be decoded, or is not a DisclosedEvent for
this agency, is written unchanged to `deadletter.view.<agency>` with the reason
in headers (services/sdk/deadletters.py) and skipped. A handler that raises
stops the subscriber: that is the application's error, never a dead letter.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any, Final, Self

import structlog
from aiokafka import TopicPartition
from aiokafka.errors import KafkaError
from structlog.contextvars import bound_contextvars

from schemas.codec import AvroCodec
from schemas.exceptions import ContractError, UndecodableBodyError
from schemas.schema_source import SchemaSource
from services.bus import topics
from services.bus.deadletter import DeadLetter
from services.bus.kafka import build_consumer, build_producer, stop_consumer
from services.bus.settings import BusSettings
from services.sdk.deadletters import DeadLetterDecoder, dead_letter_for
from services.sdk.disclosure import Disclosure, view_disclosure
from services.sdk.exceptions import NotADisclosureError, SubscribeError
from services.sdk.recent_events import EventKey, RecentEvents
from services.sdk.subscriber_parts import (
    LazyProducer,
    RevokeListener,
    SubscriberOptions,
    ViewConsumer,
    subscriber_group,
)

log = structlog.get_logger("joinedup.sdk.subscriber")

Handler = Callable[[Disclosure], Awaitable[None]]
NOT_A_DISCLOSURE: Final = "not-a-disclosure"


class Subscriber:
    """Hands an agency's disclosures to the application, committing after it handled them."""

    def __init__(
        self,
        agency: str,
        consumer: ViewConsumer,
        codec: AvroCodec,
        producer: Any,
        options: SubscriberOptions | None = None,
    ) -> None:
        """Read with a group `consumer` (not started); dead-letter through `producer`."""
        self.agency = topics.check_agency_id(agency)
        self.topic = topics.view(agency)
        self._consumer = consumer
        self._codec = codec
        self._producer = producer
        self._decoder = DeadLetterDecoder(codec, producer)
        self._options = options or SubscriberOptions()
        self._recent = RecentEvents(self._options.dedup_window)
        self._pending: deque[Any] = deque()
        self._unhandled: tuple[Any, EventKey] | None = None
        self._handled: dict[tuple[str, int], int] = {}
        self._committed: dict[tuple[str, int], int] = {}
        self._last_commit = time.monotonic()
        self._in_flight: asyncio.Future[None] | None = None
        self.handled = 0
        self.duplicates = 0

    @classmethod
    def connect(
        cls,
        settings: BusSettings,
        agency: str,
        name: str,
        schema_source: SchemaSource,
        options: SubscriberOptions | None = None,
    ) -> Self:
        """A subscriber in group `<agency>-<name>` from settings (start it with `async with`)."""
        consumer = build_consumer(settings, group_id=subscriber_group(agency, name))
        producer = LazyProducer(lambda: build_producer(settings))
        return cls(agency, consumer, AvroCodec(schema_source), producer, options)

    @property
    def dead_lettered(self) -> int:
        """How many records this subscriber wrote to its dead-letter topic."""
        return self._decoder.dead_lettered

    async def __aenter__(self) -> Self:
        """Join the group and start reading."""
        self._consumer.subscribe([self.topic], listener=RevokeListener(self._revoked))
        try:
            await self._consumer.start()
        except KafkaError as exc:
            await stop_consumer(self._consumer)
            raise SubscribeError(f"cannot read {self.topic}: {exc}") from exc
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Commit what was handled, leave the group, stop the dead-letter producer."""
        try:
            await self._commit()
        finally:
            await stop_consumer(self._consumer)
            await self._producer.stop()

    def __aiter__(self) -> Self:
        """Iterate; a disclosure left unhandled by an earlier loop is handed over again."""
        self._rewind()
        return self

    async def __anext__(self) -> Disclosure:
        """The next disclosure; the one handed over before counts as handled from now."""
        self._settle()
        if time.monotonic() - self._last_commit >= self._options.commit_interval_s:
            await self._commit(wait=False)
        while True:
            if not self._pending:
                await self._commit(wait=False)
                await self._fetch()
                continue
            record = self._pending.popleft()
            admitted = self._admit(record)
            if isinstance(admitted, Disclosure):
                self._unhandled = (record, admitted.key)
                return admitted
            if admitted is not None:
                await self._decoder.send(admitted)
                log.warning("view record dead-lettered", topic=record.topic, offset=record.offset)
            self._mark(record, None)

    async def run(self, handler: Handler) -> None:
        """Await `handler` with each disclosure, in order per child, until cancelled.

        The handler's log lines carry the disclosure's `event_id`, the agency and
        the topic (structlog context variables, bound around each call).
        """
        async for disclosure in self:
            with bound_contextvars(
                event_id=disclosure.event_id, agency=self.agency, topic=self.topic
            ):
                await handler(disclosure)

    async def _fetch(self) -> None:
        batches = await self._consumer.getmany(
            timeout_ms=int(self._options.poll_timeout_s * 1000),
            max_records=self._options.max_batch,
        )
        for records in batches.values():
            self._pending.extend(records)

    def _admit(self, record: Any) -> Disclosure | DeadLetter | None:
        """The record's disclosure; its dead letter when it holds none; None for a copy."""
        try:
            if record.value is None:
                raise UndecodableBodyError("record has no value (a tombstone is not an event)")
            decoded = self._codec.decode(record.value)
        except ContractError as exc:
            return dead_letter_for(record, exc)
        try:
            written_as = self._codec.event_type_of(record.value)
            disclosure = view_disclosure(
                written_as, decoded, record.partition, record.offset, self.agency
            )
        except NotADisclosureError as exc:
            return DeadLetter(
                record.topic,
                record.partition,
                record.offset,
                NOT_A_DISCLOSURE,
                str(exc),
                record.key,
                record.value,
            )
        if disclosure.key in self._recent:
            self.duplicates += 1
            return None
        return disclosure

    def _settle(self) -> None:
        """The disclosure handed over last was handled: mark it for the next commit."""
        if self._unhandled is not None:
            record, key = self._unhandled
            self._unhandled = None
            self._mark(record, key)
            self.handled += 1

    def _mark(self, record: Any, key: EventKey | None) -> None:
        self._handled[(record.topic, record.partition)] = record.offset + 1
        if key is not None:
            self._recent.add(key)

    def _rewind(self) -> None:
        """Seek back to a disclosure handed over but never handled (its loop body raised)."""
        if self._unhandled is None:
            return
        record, _ = self._unhandled
        self._unhandled = None
        self._drop_pending({(record.topic, record.partition)})
        self._consumer.seek(TopicPartition(record.topic, record.partition), record.offset)

    def _drop_pending(self, partitions: set[tuple[str, int]]) -> None:
        kept = [r for r in self._pending if (r.topic, r.partition) not in partitions]
        self._pending = deque(kept)

    async def _commit(
        self, only: Iterable[tuple[str, int]] | None = None, *, wait: bool = True
    ) -> None:
        """Commit the handled offsets of assigned partitions (of `only`, when given).

        With `wait` False the commit goes on while the next batch is handled;
        the next commit waits for it first.
        """
        await self._settle_commit()
        self._last_commit = time.monotonic()
        assigned = {(tp.topic, tp.partition) for tp in self._consumer.assignment()}
        wanted = assigned if only is None else assigned & set(only)
        offsets = {
            tp: offset
            for tp, offset in self._handled.items()
            if tp in wanted and offset > self._committed.get(tp, -1)
        }
        if not offsets:
            return
        committing = asyncio.ensure_future(self._send_commit(offsets))
        if wait:
            await committing
        else:
            self._in_flight = committing

    async def _settle_commit(self) -> None:
        """Wait for the commit still in flight, if any."""
        if self._in_flight is not None:
            in_flight, self._in_flight = self._in_flight, None
            await in_flight

    async def _send_commit(self, offsets: dict[tuple[str, int], int]) -> None:
        try:
            await self._consumer.commit({TopicPartition(*tp): o for tp, o in offsets.items()})
        except KafkaError as exc:
            # Not lost: what was handled since the last commit is handed over again.
            log.warning("commit failed", topic=self.topic, error=type(exc).__name__)
            return
        self._committed.update(offsets)

    async def _revoked(self, revoked: Iterable[TopicPartition]) -> None:
        """Partitions leave this subscriber: commit what was handled of them, drop the rest."""
        gone = {(tp.topic, tp.partition) for tp in revoked}
        await self._commit(gone)
        self._drop_pending(gone)
        if self._unhandled is not None:
            record, _ = self._unhandled
            if (record.topic, record.partition) in gone:
                self._unhandled = None  # its new owner hands it over again
        for tp in gone:
            self._handled.pop(tp, None)
            self._committed.pop(tp, None)
