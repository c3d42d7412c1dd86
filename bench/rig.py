"""What the stream benchmarks share: a router with three recipients, fast publishing, counting.

`router_rig` makes one run's topics (uuid suffix), an agency directory of a
school and three recipients, and a permitting agreement for each recipient;
`publish` writes pre-encoded records with librdkafka; `CommittedCounter`
counts the committed records of a topic in a thread of its own and notes when
it reached the number wanted; `delete_run_topics` removes a run's topics
(a run writes hundreds of MB to the local broker).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from confluent_kafka import OFFSET_BEGINNING, KafkaError, Producer, TopicPartition

from consent.domain import AgencySelector, RecipientSelector, SharingAgreement
from consent.records import agreement_record
from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import SchemaSource
from services.bus import rdkafka, topics
from services.bus.kafka import build_producer
from services.bus.processor import LoopOptions
from services.bus.settings import BusSettings
from services.router.bootstrap import build_router, prepare_router_topics
from services.router.stage import RouterTopics
from services.router.worker import RouterWorker

RECIPIENTS = {"social": "social-care", "education": "local-authority", "health": "health"}


@dataclass(frozen=True)
class RouterRig:
    """One run's router: its directory, topics and consumer group."""

    settings: BusSettings
    suffix: str
    agencies: Path
    names: RouterTopics

    @property
    def school(self) -> str:
        return f"school-{self.suffix}"

    @property
    def source(self) -> str:
        return topics.ingest(self.school)

    @property
    def views(self) -> list[str]:
        return [topics.view(f"{r}-{self.suffix}") for r in RECIPIENTS]

    @property
    def app_id(self) -> str:
        return f"bench-router-{self.suffix}"

    def build(self, schemas: SchemaSource, options: LoopOptions) -> RouterWorker:
        return build_router(
            self.settings,
            schemas,
            self.agencies,
            app_id=self.app_id,
            router_topics=self.names,
            options=options,
        )

    def attendance(self, codec: AvroCodec, child_ref: str) -> bytes:
        """An AttendanceMarked of this rig's school, encoded."""
        event = sample_event("AttendanceMarked", child_ref=child_ref, school=self.school)
        event["source"] = {**event["source"], "agency": self.school}
        return codec.encode("AttendanceMarked", event)


def write_agencies(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text(yaml.safe_dump({"agencies": rows}), encoding="utf-8")
    return path


async def router_rig(settings: BusSettings, codec: AvroCodec, suffix: str, tmp: Path) -> RouterRig:
    """Topics, directory and agreements for a router run (school -> three recipients)."""
    rows = [{"id": f"school-{suffix}", "kind": "school", "name": "S", "duty_contact": "d@s"}]
    rows += [
        {"id": f"{r}-{suffix}", "kind": kind, "name": r, "duty_contact": "d@x"}
        for r, kind in RECIPIENTS.items()
    ]
    names = RouterTopics(
        alerts=f"bench-alerts-{suffix}",
        directives=f"bench-dir-{suffix}",
        audit=f"bench-audit-{suffix}",
        agreements=f"bench-agr-{suffix}",
    )
    rig = RouterRig(settings, suffix, write_agencies(tmp / "agencies.yaml", rows), names)
    await prepare_router_topics(settings, rig.agencies, names)
    producer = build_producer(settings)
    await producer.start()
    try:
        for recipient in RECIPIENTS:
            agreement = SharingAgreement(
                id=f"isa-{recipient}",
                version=1,
                title=recipient,
                provider=AgencySelector(agency=rig.school),
                recipient=RecipientSelector(agency=f"{recipient}-{suffix}"),
                event_types=frozenset({"AttendanceMarked"}),
                data_classes=frozenset({"operational"}),
                purpose="safeguarding",
                legal_basis="public-task-ca1989-s47",
                valid_from=datetime(2025, 1, 1, tzinfo=UTC),
            )
            await producer.send_and_wait(
                names.agreements,
                codec.encode("SharingAgreementPublished", agreement_record(agreement)),
                key=agreement.id.encode(),
            )
    finally:
        await producer.stop()
    return rig


def fast_producer(settings: BusSettings, **overrides: Any) -> Producer:
    """A plain (idempotent, not transactional) librdkafka producer; murmur2 like the bus."""
    return Producer(
        {
            "bootstrap.servers": settings.bootstrap,
            **settings.client_security.librdkafka(),
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 20,
            "batch.size": 1_000_000,
            "partitioner": "murmur2_random",
            "queue.buffering.max.messages": 1_000_000,
            "queue.buffering.max.kbytes": 1_048_576,
            **overrides,
        }
    )


def produce(producer: Producer, topic: str, value: bytes, key: bytes, **extra: Any) -> None:
    """Produce one record, letting deliveries drain the local queue when it is full."""
    while True:
        try:
            producer.produce(topic, value, key, **extra)
        except BufferError:
            producer.poll(0.05)
        else:
            return


def publish(settings: BusSettings, topic: str, records: Iterable[tuple[bytes, bytes]]) -> int:
    """Write (key, value) records and wait until all are acknowledged; raise on any failure."""
    failures: list[str] = []

    def delivered(error: KafkaError | None, _message: object) -> None:
        if error is not None:
            failures.append(error.str())

    producer = fast_producer(settings)
    count = 0
    for key, value in records:
        produce(producer, topic, value, key, on_delivery=delivered)
        count += 1
        if count % 10_000 == 0:
            producer.poll(0)
    if producer.flush(120) or failures:
        msg = f"{topic}: {len(failures)} records failed ({failures[:1]}), or flush timed out"
        raise SystemExit(msg)
    return count


@dataclass
class CommittedCounter:
    """Counts the committed records of `topic` (read_committed) until it holds `want`."""

    settings: BusSettings
    topic: str
    want: int
    seconds: float
    seen: int = 0
    value_bytes: int = 0
    reached_at: float | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        consumer = rdkafka.reader(self.settings, **{"enable.partition.eof": False})
        try:
            partitions = consumer.list_topics(self.topic, timeout=10).topics[self.topic].partitions
            consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in partitions])
            deadline = time.monotonic() + self.seconds
            while self.seen < self.want and time.monotonic() < deadline:
                if self._stop.is_set():
                    return
                for message in consumer.consume(10_000, 0.01):
                    if message.error() is None:
                        self.seen += 1
                        self.value_bytes += len(message.value() or b"")
                if self.seen >= self.want:
                    self.reached_at = time.perf_counter()
        finally:
            consumer.close()

    def stop(self) -> None:
        self._stop.set()

    async def wait(self, *others: asyncio.Future[Any]) -> None:
        """Count in a thread until done; if one of `others` fails first, raise its error."""
        counting = asyncio.ensure_future(asyncio.to_thread(self.run))
        pending = {counting, *others}
        while counting in pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            failed = [f for f in done if f is not counting and f.exception() is not None]
            if failed:
                self.stop()
                await counting
                failed[0].result()
        counting.result()
        if self.reached_at is None:
            msg = f"{self.topic}: {self.seen} of {self.want} records within {self.seconds:g}s"
            raise SystemExit(msg)


def delete_run_topics(settings: BusSettings, *suffixes: str) -> None:
    """Delete every topic whose name holds one of the runs' `suffixes` (uuid fragments)."""
    admin = rdkafka.admin_client(settings)
    names = [
        name
        for name in admin.list_topics(timeout=10).topics
        if any(suffix in name for suffix in suffixes)
    ]
    if names:
        for deleting in admin.delete_topics(names, operation_timeout=30).values():
            deleting.result()
