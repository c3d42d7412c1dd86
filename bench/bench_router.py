"""Router throughput against two raw baselines on the same events, same broker, same run.

All three read the same N pre-published AttendanceMarked events (3 partitions):
  A. raw aiokafka 1:1 pass-through: getmany + send to another topic, no
     decoding, no transactions (the asyncio services' client);
  B. raw librdkafka transactional copy with the router's output shape: per
     record 3 copies to three "view" topics and 3 to an "audit" topic (on the
     record's partition), one transaction per consume() batch of up to 5,000,
     offsets sent with the consumer's group metadata;
  R. the router in this process (build_router, the transactional loop): decode,
     decide for three recipients with permitting agreements, 3 views and 3
     hash-chained audit records per event.
Each is timed from the moment its consumer is assigned the partitions to the
moment its output is committed and visible: a read_committed counter (a
thread) sees N copies (A) or 3N audit records (B, R). Start-up (group join,
the router's agreement feed) is printed apart.

Needs a broker (`joinedup broker start`). Loopback only, bounded.
Run: .venv/bin/python bench/bench_router.py [events]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiokafka import ConsumerRebalanceListener
from confluent_kafka import KafkaException, Message, TopicPartition
from figures import report_figures
from rig import CommittedCounter, RouterRig, delete_run_topics, produce, publish, router_rig

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.bus import rdkafka
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.bus.logging import configure_logging
from services.bus.processor import LoopOptions, LoopStats
from services.bus.settings import BusSettings

BATCH = 5_000
TARGETS = {"router/A": 0.33, "router/B": 0.5}


@dataclass
class Timing:
    """When a run started, got its partitions and had its output committed."""

    events: int
    started: float
    assigned: float
    finished: float

    @property
    def seconds(self) -> float:
        return self.finished - self.assigned

    def figures(self) -> dict[str, float]:
        return {
            "events_per_s": round(self.events / self.seconds),
            "us_per_event": round(self.seconds / self.events * 1e6, 1),
            "seconds": round(self.seconds, 3),
            "startup_s": round(self.assigned - self.started, 3),
        }


class _Assigned(ConsumerRebalanceListener):
    def __init__(self) -> None:
        self.at: float | None = None

    async def on_partitions_revoked(self, _revoked: object) -> None:
        pass

    async def on_partitions_assigned(self, _assigned: object) -> None:
        self.at = self.at or time.perf_counter()


async def pass_through(settings: BusSettings, source: str, sink: str, n: int) -> Timing:
    """A: consume and re-send every record, no decoding, until N copies are committed."""
    counter = CommittedCounter(settings, sink, n, 300)
    started = time.perf_counter()
    consumer = build_consumer(settings, group_id=f"bench-pass-{uuid.uuid4().hex[:8]}")
    listener = _Assigned()
    consumer.subscribe([source], listener=listener)
    producer = build_producer(settings)
    await consumer.start()
    await producer.start()

    async def copy() -> None:
        seen = 0
        while seen < n:
            batches = await consumer.getmany(timeout_ms=100, max_records=BATCH)
            for records in batches.values():
                for record in records:
                    await producer.send(sink, record.value, key=record.key)
                seen += len(records)
        await producer.flush()

    copying = asyncio.ensure_future(copy())
    try:
        await counter.wait(copying)
        await copying
    finally:
        copying.cancel()
        await consumer.stop()
        await producer.stop()
    return Timing(n, started, listener.at or started, counter.reached_at or 0.0)


def _records(messages: list[Message]) -> list[Message]:
    records = []
    for message in messages:
        error = message.error()
        if error is None:
            records.append(message)
        elif error.fatal():
            raise KafkaException(error)
    return records


def transactional_copy(  # noqa: PLR0917 - the run's topics
    settings: BusSettings, source: str, views: list[str], audit: str, n: int, suffix: str
) -> float:
    """B: 3 view copies + 3 audit copies per record, one transaction per consume() batch.

    Returns when it started consuming (partitions assigned).
    """
    consumer = rdkafka.group_consumer(settings, f"bench-txcopy-{suffix}")
    producer = rdkafka.transactional_producer(settings, f"bench-txcopy-{suffix}-0")
    assigned: list[float] = []
    try:
        producer.init_transactions(30)
        consumer.subscribe([source], on_assign=lambda _c, _p: assigned.append(time.perf_counter()))
        seen = 0
        deadline = time.monotonic() + 600
        while seen < n and time.monotonic() < deadline:
            records = _records(consumer.consume(BATCH, 0.05))
            if not records:
                continue
            producer.begin_transaction()
            offsets: dict[int, int] = {}
            for message in records:
                key, value, partition = message.key(), message.value(), message.partition()
                for view in views:
                    produce(producer, view, value, key)
                for _ in range(3):
                    produce(producer, audit, value, key, partition=partition)
                offsets[partition] = message.offset() + 1
            producer.send_offsets_to_transaction(
                [TopicPartition(source, p, o) for p, o in offsets.items()],
                consumer.consumer_group_metadata(),
                30,
            )
            producer.commit_transaction(30)
            seen += len(records)
    finally:
        consumer.close()
    return assigned[0] if assigned else time.perf_counter()


async def copy_in_transactions(settings: BusSettings, source: str, n: int, suffix: str) -> Timing:
    views = [f"bench-bview{i}-{suffix}" for i in range(3)]
    audit = f"bench-baudit-{suffix}"
    await ensure_topics(settings, [*views, audit])
    counter = CommittedCounter(settings, audit, 3 * n, 600)
    started = time.perf_counter()
    copying = asyncio.ensure_future(
        asyncio.to_thread(transactional_copy, settings, source, views, audit, n, suffix)
    )
    await counter.wait(copying)
    assigned = await copying
    return Timing(n, started, assigned, counter.reached_at or 0.0)


async def route(
    rig: RouterRig, schemas: InMemorySchemaSource, n: int
) -> tuple[Timing, int, LoopStats]:
    """R: the router until the audit topic holds 3N committed records.

    Returns the timing, the audit bytes and the loop's own statistics.
    """
    router = rig.build(schemas, LoopOptions(batch=BATCH, wait_s=0.05, tick_every_s=3600))
    assigned: list[float] = []
    restore = router.processor.assigned

    def assigned_then_restore(partitions: frozenset[int]) -> None:
        assigned.append(time.perf_counter())
        restore(partitions)

    router.processor.assigned = assigned_then_restore
    counter = CommittedCounter(rig.settings, rig.names.audit, 3 * n, 600)
    started = time.perf_counter()
    running = asyncio.ensure_future(router.run())
    try:
        await counter.wait(running)
    finally:
        router.stopping.set()
        await asyncio.wait_for(running, 60)
    timing = Timing(n, started, assigned[0], counter.reached_at or 0.0)
    return timing, counter.value_bytes, router.loop.stats


def show(label: str, timing: Timing) -> None:
    f = timing.figures()
    print(
        f"{label:<58}{f['events_per_s']:>10,} ev/s {f['us_per_event']:>8.1f} us/ev "
        f"(start-up {f['startup_s']:.1f} s)"
    )


async def measure(settings: BusSettings, n: int) -> tuple[Timing, Timing, Timing, int, LoopStats]:
    """A, B and R on `n` fresh events of one run's topics, deleted afterwards."""
    suffix = uuid.uuid4().hex[:8]
    schemas = InMemorySchemaSource()
    codec = AvroCodec(schemas)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            rig = await router_rig(settings, codec, suffix, Path(tmp))
            copy_topic = f"bench-copy-{suffix}"
            await ensure_topics(settings, [copy_topic])
            records = [
                ((child := f"cr1_bench{i % 5000:027d}").encode(), rig.attendance(codec, child))
                for i in range(n)
            ]
            publish(settings, rig.source, records)
            print(f"published {n:,} AttendanceMarked to {rig.source}", file=sys.stderr)

            a = await pass_through(settings, rig.source, copy_topic, n)
            print("A done", file=sys.stderr)
            b = await copy_in_transactions(settings, rig.source, n, suffix)
            print("B done", file=sys.stderr)
            r, audit_bytes, stats = await route(rig, schemas, n)
        finally:
            delete_run_topics(settings, suffix)
    return a, b, r, audit_bytes, stats


async def main(n: int) -> None:
    configure_logging("WARNING")
    settings = BusSettings()
    a, b, r, audit_bytes, stats = await measure(settings, n)

    ratios = {"router/A": a.seconds / r.seconds, "router/B": b.seconds / r.seconds}
    print(f"events: {n:,}; 3 partitions; 3 recipients; audit on (3 decisions per event)")
    show("A  raw aiokafka 1:1 pass-through", a)
    show("B  raw librdkafka transactional copy, 1 in -> 6 out", b)
    show("R  router (decode, decide x3, 3 views + 3 audit, txns)", r)
    for name, ratio in ratios.items():
        verdict = "meets" if ratio >= TARGETS[name] else "MISSES"
        print(f"ratio {name}: {ratio:.2f} (target >= {TARGETS[name]}: {verdict})")
    print(f"router output: {6 * n / r.seconds:,.0f} records/s; audit {audit_bytes / 3 / n:.0f} B")
    loop = {
        "transactions": stats.transactions,
        "handling_us_per_event": round(stats.handling_s / max(stats.records, 1) * 1e6, 1),
        "committing_ms_per_transaction": round(
            stats.committing_s / max(stats.transactions, 1) * 1000, 1
        ),
        "slowest_commit_ms": round(stats.slowest_commit_s * 1000, 1),
    }
    print(
        f"router loop: {loop['transactions']} transactions; handling (processor + produce) "
        f"{loop['handling_us_per_event']} us/event; commit {loop['committing_ms_per_transaction']}"
        f" ms/transaction (slowest {loop['slowest_commit_ms']} ms)"
    )
    report_figures(
        "bench_router",
        {
            "events": n,
            "partitions": 3,
            "batch": BATCH,
            "raw_aiokafka_pass_through": a.figures(),
            "raw_rdkafka_txn_copy_1_to_6": b.figures(),
            "router": r.figures(),
            "router_loop": loop,
            "ratios": {k: round(v, 3) for k, v in ratios.items()},
            "targets": TARGETS,
        },
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000))
