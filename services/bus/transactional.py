"""A consume-process-produce loop on Kafka transactions: exactly once for any processor.

Guarantees (docs/router.md, "Processing guarantee", says how each is proven):
- Each batch is processed in one transaction carrying every record the
  processor returns, its state changelog records and the consumed offsets,
  sent with the consumer's group metadata (KIP-447): a worker that has lost
  its partitions (a zombie) is refused by the broker and cannot commit.
- No transaction is open while the consumer is polled, so a rebalance (which
  librdkafka delivers only inside `consume`) never revokes a partition under a
  batch in flight; the batch has committed or aborted before the revoke runs.
- No record of a partition reaches `handle` before its state is restored
  from stable committed offsets, and records of partitions not owned are
  never handed over (services/bus/ownership.py).
- Any failure of a batch (a bug in the processor, a broker error) aborts the
  transaction, forgets and restores the owned partitions' state and rewinds
  to the committed offsets; after `max_attempts` failures in a row the loop
  stops with StreamProcessingError (exit status != 0). A fenced producer (a
  second worker with the same transactional id) stops it at once.

The loop is blocking librdkafka code run in a thread of its own (`run`), so
the asyncio services around it (agreement feed, web) keep going.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog
from confluent_kafka import (
    Consumer,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)

from services.bus import rdkafka
from services.bus.loop_metrics import LAG_EVERY_S, Batch, LoopMetrics
from services.bus.loop_parts import (
    FENCED,
    StreamProcessingError,
    check_copartitioned,
    fatal,
    incoming,
    kafka_error,
    lag_by_topic,
    produce,
)
from services.bus.ownership import Ownership
from services.bus.processor import LoopOptions, LoopStats, Processor
from services.bus.settings import BusSettings

log = structlog.get_logger(__name__)


class _BatchFailedError(Exception):
    """The transaction in hand was aborted; rewind to the last commit."""


class TransactionalLoop:
    """Runs one processor for consumer group `group_id` until `stopping` is set."""

    def __init__(  # noqa: PLR0913, PLR0917 - each is one deployment choice
        self,
        settings: BusSettings,
        processor: Processor,
        group_id: str,
        transactional_id: str,
        sources: list[str],
        options: LoopOptions | None = None,
        copartitioned: Iterable[str] = (),
        metrics: LoopMetrics | None = None,
    ) -> None:
        """Consume `sources` as `group_id`, write as `transactional_id` (unique per worker).

        `copartitioned`: output topics that must have the sources' partition
        count (the changelog, the audit), checked at start. `metrics`: what
        it counts, published per committed transaction (default: labelled
        with `group_id`, alert latencies observed on alerts.raised).
        """
        self._settings = settings
        self._processor = processor
        self._group_id = group_id
        self.transactional_id = transactional_id
        self._sources = sources
        self._options = options or LoopOptions()
        self._copartitioned = [processor.changelog, *copartitioned]
        self.stopping = asyncio.Event()
        self.processed = 0
        self.stats = LoopStats()
        self.metrics = metrics or LoopMetrics(group_id)
        self.beat = time.monotonic()  # when the loop last came round (the worker's liveness)
        self._tick_requested = False
        self._ownership = Ownership(
            processor,
            group_id,
            attempts=self._options.max_attempts,
            timeout_s=self._options.timeout_s,
        )

    def request_tick(self) -> None:
        """Run the processor's `tick` after the batch in hand (operators, tests)."""
        self._tick_requested = True

    async def run(self) -> None:
        """Process in a thread of its own until `stopping` is set; raise what stopped it."""
        executor = ThreadPoolExecutor(1, thread_name_prefix=self._group_id)
        future = asyncio.get_running_loop().run_in_executor(executor, self._run)
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            self.stopping.set()
            await asyncio.wait([future])
            raise
        finally:
            executor.shutdown(wait=False)

    # -- the loop -------------------------------------------------------------

    def _run(self) -> None:
        options = self._options
        consumer = rdkafka.group_consumer(self._settings, self._group_id)
        producer = rdkafka.transactional_producer(self._settings, self.transactional_id)
        try:
            self._check_partitions(consumer)
            self._guard(lambda: producer.init_transactions(options.timeout_s), "init")
            consumer.subscribe(
                self._sources,
                on_assign=self._ownership.on_assign,
                on_revoke=self._ownership.on_revoke,
                on_lost=self._ownership.on_lost,
            )
            failures = 0
            next_tick = time.monotonic() + options.tick_every_s
            next_lag = 0.0
            while not self.stopping.is_set():
                self.beat = time.monotonic()
                if self.beat >= next_lag:
                    self.metrics.lag(lag_by_topic(consumer, self._ownership.owned))
                    next_lag = time.monotonic() + LAG_EVERY_S
                records = self._records(self._next_batch(consumer))
                try:
                    if records:
                        self._transact(consumer, producer, records)
                    if self._tick_requested or time.monotonic() >= next_tick:
                        self._tick_requested = False
                        self._tick(consumer, producer)
                        next_tick = time.monotonic() + options.tick_every_s
                except _BatchFailedError as failure:
                    failures += 1
                    cause = failure.__cause__
                    log.warning(
                        "batch aborted; rewinding to the last commit",
                        group=self._group_id,
                        attempt=failures,
                        error=f"{type(cause).__name__}: {cause}",
                    )
                    if failures >= options.max_attempts:
                        msg = (
                            f"{self._group_id}: a batch failed {failures} times in a row "
                            f"({type(cause).__name__}: {cause}); stopping"
                        )
                        raise StreamProcessingError(msg) from cause
                    self._ownership.rewind(consumer)
                else:
                    failures = 0 if records else failures
            log.info("stream processor stopping", group=self._group_id, processed=self.processed)
        finally:
            consumer.close()

    def _next_batch(self, consumer: Consumer) -> list[Message]:
        """What is there, at once: up to `wait_s` for a first record, then the rest queued.

        A backlog makes large transactions (up to `batch`), a trickle small quick
        ones; consume() alone would always wait the whole `wait_s`.
        """
        first = consumer.poll(self._options.wait_s)
        if first is None:
            return []
        return [first, *consumer.consume(self._options.batch - 1, 0)]

    def _records(self, messages: list[Message]) -> list[Message]:
        """The consumed records of partitions owned now (errors are logged, not records)."""
        records = []
        for message in messages:
            error = message.error()
            if error is not None:
                if error.fatal():
                    raise StreamProcessingError(f"{self._group_id}: consumer: {error.str()}")
                log.warning("consumer error", group=self._group_id, error=error.str())
            elif (message.topic(), message.partition()) in self._ownership.owned:
                records.append(message)
        return records

    def _transact(self, consumer: Consumer, producer: Producer, records: list[Message]) -> None:
        offsets: dict[tuple[str, int], int] = {}
        batch = self.metrics.batch()
        consumed, output = batch.consumed, batch.output

        def work() -> None:
            for message in records:
                record = incoming(message)
                consumed[record.topic] += 1
                for out in self._processor.handle(record):
                    produce(producer, out)
                    output(out, record.timestamp_ms)
                offsets[record.topic, record.partition] = record.offset + 1

        self._in_transaction(consumer, producer, work, offsets, batch)
        self.processed += len(records)
        self.stats.records += len(records)

    def _tick(self, consumer: Consumer, producer: Producer) -> None:
        """Timed outputs, in a transaction fenced like a batch (it carries the positions)."""
        try:
            due = self._processor.tick(dt.datetime.now(dt.UTC))
        except Exception as exc:  # a processor bug: rewind (its state may have moved)
            raise _BatchFailedError from exc
        if due:
            batch = self.metrics.batch()

            def work() -> None:
                for out in due:
                    produce(producer, out)
                    batch.output(out, 0)  # timed, not published: no latency to observe

            self._in_transaction(consumer, producer, work, dict(self._ownership.positions), batch)

    def _in_transaction(
        self,
        consumer: Consumer,
        producer: Producer,
        work: Callable[[], object],
        offsets: dict[tuple[str, int], int],
        batch: Batch,
    ) -> None:
        timeout = self._options.timeout_s
        stats = self.stats
        started = time.perf_counter()
        self._guard(producer.begin_transaction, "begin")
        try:
            work()
            handled = time.perf_counter()
            stats.handling_s += handled - started
            if offsets:
                producer.send_offsets_to_transaction(
                    [TopicPartition(t, p, o) for (t, p), o in offsets.items()],
                    consumer.consumer_group_metadata(),
                    timeout,
                )
            self._commit(producer)
        except KafkaException as exc:
            error = kafka_error(exc)
            if error.fatal() or error.code() in FENCED:
                raise fatal(error, self._group_id, self.transactional_id) from exc
            self._abort(producer)
            raise _BatchFailedError from exc
        except Exception as exc:  # a processor bug: abort, rewind, retry a bounded number of times
            self._abort(producer)
            raise _BatchFailedError from exc
        committing = time.perf_counter() - handled
        stats.committing_s += committing
        stats.slowest_commit_s = max(stats.slowest_commit_s, committing)
        stats.transactions += 1
        self._ownership.positions.update(offsets)
        self.metrics.committed(batch, committing, time.time_ns() // 1_000_000)

    def _commit(self, producer: Producer) -> None:
        for _ in range(self._options.max_attempts):
            try:
                producer.commit_transaction(self._options.timeout_s)
            except KafkaException as exc:
                if not kafka_error(exc).retriable():
                    raise
            else:
                return
        producer.commit_transaction(self._options.timeout_s)

    def _abort(self, producer: Producer) -> None:
        self.metrics.aborted()
        # Deliver what is in flight first: aborting while librdkafka is still
        # registering the transaction's partitions can leave the coordinator
        # with no transaction to end (INVALID_TXN_STATE, fatal) on Kafka 4.
        producer.flush(self._options.timeout_s)
        self._guard(lambda: producer.abort_transaction(self._options.timeout_s), "abort")

    def _guard(self, call: Callable[[], Any], what: str) -> None:
        try:
            call()
        except KafkaException as exc:
            error = kafka_error(exc)
            if error.fatal() or error.code() in FENCED:
                raise fatal(error, self._group_id, self.transactional_id) from exc
            msg = f"{self._group_id}: transaction {what} failed: {error.str()}"
            raise StreamProcessingError(msg) from exc

    # -- assignment ------------------------------------------------------------

    def _check_partitions(self, consumer: Consumer) -> None:
        names = [*self._sources, *self._copartitioned]
        check_copartitioned(consumer, names, self._settings.connect_timeout_s)
