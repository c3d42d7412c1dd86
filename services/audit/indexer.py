"""The audit indexer: audit.disclosures and audit.reviews into PostgreSQL, exactly once.

It reads both topics read_committed and commits no Kafka offsets: where it is
in each partition lives in `audit_index_position`, written in the same
database transaction as the rows (index_writer.py). On assignment each
partition is sought to its stored `next_offset`. The consumer group
`joinedup.audit-indexer` only shares the partitions out between indexers; two
indexers reading the same records still write each row once (the position
row is locked and checked inside the transaction).

Each partition's hash chain is verified as it is indexed, from the stored
`chain_tail`. A break is a row of `audit_chain_break`, a dead letter on
`deadletter.audit.disclosures` (sent and flushed before the database commit:
at least once), an error log line without identifiers and a count; the record
is indexed all the same, and the chain goes on from its hash.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import psycopg
import structlog
from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition

from schemas.codec import AvroCodec
from services.audit.exceptions import AuditError
from services.audit.index_rows import decode_all
from services.audit.index_writer import BatchOutcome, IndexTopics, IndexWriter
from services.bus import rdkafka
from services.bus.loop_metrics import LAG_EVERY_S, LoopMetrics
from services.bus.loop_parts import key, lag_by_topic
from services.bus.records import Incoming
from services.bus.settings import BusSettings
from services.observability.metrics import metrics

log = structlog.get_logger(__name__)

INDEXER_GROUP: Final = "joinedup.audit-indexer"
METADATA_TIMEOUT_S: Final = 10.0


@dataclass(frozen=True)
class IndexerOptions:
    """How the indexer reads: group, batch size, topics."""

    group_id: str = INDEXER_GROUP
    batch_size: int = 5_000
    poll_s: float = 0.2
    names: IndexTopics = field(default_factory=IndexTopics)


@dataclass
class IndexerStats:
    """What the indexer has done since it started (its counters)."""

    batches: int = 0
    decisions: int = 0
    reviews: int = 0
    skipped: int = 0
    chain_breaks: int = 0
    dead_letters: int = 0

    def add(self, outcome: BatchOutcome) -> None:
        """Count one committed batch."""
        self.batches += 1
        self.decisions += outcome.decisions
        self.reviews += outcome.reviews
        self.skipped += outcome.skipped
        self.chain_breaks += len(outcome.breaks)
        self.dead_letters += len(outcome.letters)


def _incoming(message: Message) -> Incoming:
    topic, partition, offset = message.topic(), message.partition(), message.offset()
    if topic is None or partition is None or offset is None:
        raise AuditError("a consumed audit record came without topic, partition or offset")
    return Incoming(topic, partition, offset, message.key(), message.value())


def _not_ahead(topic: str, partition: int, stored: int, high: int) -> None:
    """Refuse an index standing past its topic's end (it would silently index nothing).

    Its position would wait there for ever while the decisions it should hold
    are written below it.
    """
    if stored > high:
        msg = (
            f"the audit index stands at offset {stored} of {topic}[{partition}], past the "
            f"topic's end ({high}): the topic was recreated, or the index belongs to another "
            "cluster; run `joinedup audit reindex` to rebuild it from this topic"
        )
        raise AuditError(msg)


class AuditIndexer:
    """Indexes the audit topics into the database at `db_url`."""

    def __init__(
        self,
        settings: BusSettings,
        db_url: str,
        codec: AvroCodec,
        options: IndexerOptions | None = None,
    ) -> None:
        """Read the cluster of `settings`, decode with `codec`, write to conninfo `db_url`."""
        self._settings = settings
        self._db_url = db_url
        self._codec = codec
        self.options = options or IndexerOptions()
        self.stats = IndexerStats()
        self.stopping = threading.Event()
        self.beat = time.monotonic()  # when the loop last turned (liveness)
        self.metrics = LoopMetrics(self.options.group_id, alert_topics=())

    def run(self, *, until_caught_up: bool = False) -> IndexerStats:
        """Index until `stopping` is set, or (`until_caught_up`) until the ends seen at start."""
        names = self.options.names.both
        with psycopg.connect(self._db_url, autocommit=True) as conn:
            writer = IndexWriter(conn, self.options.names)
            writer.hold_shared_lock()
            producer = rdkafka.producer(self._settings, **{"message.timeout.ms": 30_000})
            if until_caught_up:
                consumer = rdkafka.reader(self._settings, **{"group.id": self.options.group_id})
                ends = self._assign_all(consumer, writer, names)
            else:
                consumer = rdkafka.group_consumer(self._settings, self.options.group_id)
                consumer.subscribe(list(names), on_assign=self._seeker(writer))
                ends = None
            try:
                self._loop(consumer, producer, writer, ends)
            finally:
                consumer.close()
                producer.flush(10)
        return self.stats

    def _seeker(self, writer: IndexWriter) -> Callable[[Consumer, list[TopicPartition]], None]:
        def on_assign(consumer: Consumer, assigned: list[TopicPartition]) -> None:
            """Start each assigned partition at its stored next offset."""
            for partition in assigned:
                stored = writer.positions(partition.topic, [partition.partition])
                partition.offset = stored[partition.partition]
                _, high = consumer.get_watermark_offsets(partition, timeout=METADATA_TIMEOUT_S)
                _not_ahead(partition.topic, partition.partition, partition.offset, high)
            consumer.assign(assigned)
            log.info("audit index partitions assigned", partitions=len(assigned))

        return on_assign

    def _assign_all(
        self, consumer: Consumer, writer: IndexWriter, names: tuple[str, ...]
    ) -> dict[tuple[str, int], int]:
        """Assign every partition of `names` from its stored position; their ends at start."""
        metadata = consumer.list_topics(timeout=METADATA_TIMEOUT_S)
        assignment: list[TopicPartition] = []
        ends: dict[tuple[str, int], int] = {}
        for name in names:
            found = metadata.topics.get(name)
            if found is None or found.error is not None:
                msg = f"topic {name} does not exist on the cluster at {self._settings.bootstrap}"
                raise AuditError(msg)
            stored = writer.positions(name, found.partitions)
            for number, start in stored.items():
                _, high = consumer.get_watermark_offsets(
                    TopicPartition(name, number), timeout=METADATA_TIMEOUT_S
                )
                _not_ahead(name, number, start, high)
                if start < high:
                    ends[name, number] = high
                    assignment.append(TopicPartition(name, number, start))
        consumer.assign(assignment)
        return ends

    def _loop(
        self,
        consumer: Consumer,
        producer: Producer,
        writer: IndexWriter,
        ends: dict[tuple[str, int], int] | None,
    ) -> None:
        next_lag = 0.0
        while not self.stopping.is_set():
            self.beat = now = time.monotonic()
            if now >= next_lag:
                owned = [key(tp) for tp in consumer.assignment()]
                self.metrics.lag(lag_by_topic(consumer, owned))
                next_lag = now + LAG_EVERY_S
            if ends is not None and not ends:
                return
            messages = consumer.consume(self.options.batch_size, self.options.poll_s)
            records: list[Incoming] = []
            for message in messages:
                error = message.error()
                if error is None:
                    records.append(_incoming(message))
                elif error.code() == KafkaError._PARTITION_EOF:  # noqa: SLF001 - librdkafka's name
                    self._reached(ends, message)
                else:
                    msg = f"reading {message.topic()}[{message.partition()}]: {error.str()}"
                    raise AuditError(msg)
            if records:
                self._index(records, producer, writer)

    @staticmethod
    def _reached(ends: dict[tuple[str, int], int] | None, message: Message) -> None:
        """Drop a partition from `ends` once the reader stands at or past its end at start."""
        key = (str(message.topic()), message.partition() or 0)
        if ends is not None and key in ends and (message.offset() or 0) >= ends[key]:
            del ends[key]

    def _index(self, records: list[Incoming], producer: Producer, writer: IndexWriter) -> None:
        started = time.perf_counter()
        decoded = decode_all(self._codec, records)
        outcome = writer.write(decoded, lambda found: self._send_letters(producer, found))
        self.stats.add(outcome)
        self._count(records, outcome, time.perf_counter() - started)
        for topic, found in outcome.breaks:
            log.error(
                "audit chain broken",
                topic=topic,
                partition=found.partition,
                offset=found.offset,
                problem=found.problem,
            )
        log.debug(
            "audit batch indexed",
            decisions=outcome.decisions,
            reviews=outcome.reviews,
            skipped=outcome.skipped,
            seconds=round(time.perf_counter() - started, 4),
        )

    def _count(self, records: list[Incoming], outcome: BatchOutcome, seconds: float) -> None:
        """The committed batch in the metrics: records in, dead letters, chain breaks."""
        batch = self.metrics.batch()
        for record in records:
            batch.consumed[record.topic] += 1
        for letter in outcome.letters:
            batch.letters[letter.source_topic, letter.reason] += 1
        self.metrics.committed(batch, seconds, time.time_ns() // 1_000_000)
        if outcome.breaks:
            metrics().chain_breaks.inc(len(outcome.breaks))

    @staticmethod
    def _send_letters(producer: Producer, outcome: BatchOutcome) -> None:
        """Write the batch's dead letters and wait for them, before the rows commit."""
        if not outcome.letters:
            return
        failures: list[Any] = []

        def delivered(error: Any, _message: Any) -> None:
            if error is not None:
                failures.append(error)

        for letter in outcome.letters:
            headers: list[tuple[str, str | bytes | None]] = list(letter.headers())
            producer.produce(
                letter.topic, letter.value, letter.key, headers=headers, on_delivery=delivered
            )
        remaining = producer.flush(30)
        if remaining or failures:
            msg = f"dead letters of the audit index were not written ({failures or remaining})"
            raise AuditError(msg)
