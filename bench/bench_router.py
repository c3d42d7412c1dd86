"""Router throughput against a raw aiokafka consume-and-produce pass-through, same broker, same run.

Both read the same N pre-published AttendanceMarked events. The baseline
copies each record to another topic (getmany + send, no decoding) and ends
when its producer has flushed. The router decodes, decides for three
recipient agencies (each with a permitting agreement), writes three views
and three hash-chained audit records per event in Kafka transactions, and
ends when the audit topic holds 3N committed records.

Needs a broker (`joinedup broker start`). Loopback only, bounded.
Run: .venv/bin/python bench/bench_router.py [events]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import yaml

from consent.domain import AgencySelector, RecipientSelector, SharingAgreement
from consent.records import agreement_record
from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.bus.settings import BusSettings
from services.router.bootstrap import build_router
from services.router.stage import RouterTopics

RECIPIENTS = ("social", "education", "health")


def agencies_file(suffix: str) -> Path:
    rows = [{"id": f"school-{suffix}", "kind": "school", "name": "S", "duty_contact": "d@s"}]
    kinds = {"social": "social-care", "education": "local-authority", "health": "health"}
    rows += [
        {"id": f"{r}-{suffix}", "kind": kinds[r], "name": r, "duty_contact": "d@x"}
        for r in RECIPIENTS
    ]
    path = Path(tempfile.mkdtemp()) / "agencies.yaml"
    path.write_text(yaml.safe_dump({"agencies": rows}))
    return path


async def wait_for_records(settings: BusSettings, topic: str, want: int, seconds: float) -> None:
    """Read `topic` (read_committed) until it holds `want` records or time runs out."""
    consumer = build_consumer(settings, topic, group_id=None)
    await consumer.start()
    seen = 0
    deadline = time.monotonic() + seconds
    try:
        while seen < want and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            seen += sum(len(records) for records in batch.values())
    finally:
        await consumer.stop()
    if seen < want:
        msg = f"{topic}: {seen} of {want} records within {seconds:g}s"
        raise SystemExit(msg)


async def publish(settings: BusSettings, codec: AvroCodec, topic: str, school: str, n: int) -> None:
    producer = build_producer(settings, linger_ms=20)
    await producer.start()
    try:
        for i in range(n):
            child = f"cr1_bench{i % 5000:026d}"
            event = sample_event("AttendanceMarked", child_ref=child, school=school)
            event["source"] = {**event["source"], "agency": school}
            await producer.send(topic, codec.encode("AttendanceMarked", event), key=child.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def pass_through(settings: BusSettings, source: str, sink: str, n: int) -> float:
    consumer = build_consumer(settings, source, group_id=f"bench-pass-{uuid.uuid4().hex[:6]}")
    producer = build_producer(settings)
    await consumer.start()
    await producer.start()
    began = time.perf_counter()
    seen = 0
    try:
        while seen < n:
            for records in (await consumer.getmany(timeout_ms=500, max_records=500)).values():
                for record in records:
                    await producer.send(sink, record.value, key=record.key)
                seen += len(records)
        await producer.flush()
        return n / (time.perf_counter() - began)
    finally:
        await consumer.stop()
        await producer.stop()


async def main(n: int) -> None:
    settings = BusSettings()
    suffix = uuid.uuid4().hex[:8]
    school = f"school-{suffix}"
    names = RouterTopics(
        alerts=f"bench-alerts-{suffix}",
        directives=f"bench-dir-{suffix}",
        audit=f"bench-audit-{suffix}",
        agreements=f"bench-agr-{suffix}",
    )
    app_id = f"bench-router-{suffix}"
    views = [topics.view(f"{r}-{suffix}") for r in RECIPIENTS]
    await ensure_topics(
        settings,
        [
            topics.ingest(school),
            *views,
            names.audit,
            names.alerts,
            names.directives,
            names.agreements,
            f"bench-copy-{suffix}",
            f"{app_id}-children",
        ],
    )
    source = InMemorySchemaSource()
    codec = AvroCodec(source)
    producer = build_producer(settings)
    await producer.start()
    for recipient in RECIPIENTS:
        agreement = SharingAgreement(
            id=f"isa-{recipient}",
            version=1,
            title=recipient,
            provider=AgencySelector(agency=school),
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
    await producer.stop()
    await publish(settings, codec, topics.ingest(school), school, n)

    baseline = await pass_through(settings, topics.ingest(school), f"bench-copy-{suffix}", n)

    router = build_router(
        settings, source, agencies_file(suffix), app_id=app_id, router_topics=names
    )
    began = time.perf_counter()
    running = asyncio.create_task(router.run())
    await wait_for_records(settings, names.audit, 3 * n, 600)
    routed = n / (time.perf_counter() - began)
    router.stopping.set()
    await asyncio.wait_for(running, 60)

    print(f"events: {n}; recipients: {len(RECIPIENTS)}; audit on (3 decisions per event)")
    print(f"pass-through (raw aiokafka consume->produce): {baseline:,.0f} events/s")
    print(f"router (decode, decide x3, 3 views + 3 audit, transactions): {routed:,.0f} events/s")
    print(
        f"ratio router / pass-through: {routed / baseline:.2f}x "
        f"({6 * routed:,.0f} output records/s)"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
