"""Publish-to-alert latency at a fixed event rate, next to raw produce-to-consume latency.

Publishes Operation Encompass notifications (each one raises an alert) at a
fixed rate to a thresholds worker running in this process, and measures, per
event, the time from publishing it to receiving its AlertRaised (matched by
correlation id) on the alerts topic (read_committed: after the worker's
transaction commits). The baseline sends the same records at the same rate
through a plain topic and measures produce-to-consume. Also prints the
thresholds state bytes per child for a term (bench_state_size.py).

Needs a broker (`joinedup broker start`). Loopback only, bounded.
Run: .venv/bin/python bench/bench_alert_latency.py [rate] [seconds]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.bus.settings import BusSettings
from services.thresholds.bootstrap import build_thresholds
from services.thresholds.processor import ThresholdsTopics

INCIDENT = dt.datetime(2026, 11, 13, 21, 0, tzinfo=dt.UTC)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


async def paced(
    producer, topic: str, records: list[tuple[bytes, bytes, str]], rate: int, sent: dict[str, float]
) -> None:
    began = time.perf_counter()
    for n, (key, value, event_id) in enumerate(records):
        delay = began + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent[event_id] = time.perf_counter()
        await producer.send(topic, value, key=key)
    await producer.flush()


async def receive(settings, topic: str, want: int, match, seconds: float) -> dict[str, float]:
    consumer = build_consumer(settings, topic, group_id=None, auto_offset_reset="latest")
    await consumer.start()
    await consumer.seek_to_end()
    got: dict[str, float] = {}
    deadline = time.monotonic() + seconds
    try:
        while len(got) < want and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for record in records:
                    got.setdefault(match(record.value), now)
    finally:
        await consumer.stop()
    return got


def latencies(sent: dict[str, float], got: dict[str, float]) -> list[float]:
    return [(got[k] - sent[k]) * 1000 for k in sent if k in got]


async def main(rate: int, seconds: int) -> None:
    settings = BusSettings()
    sfx = uuid.uuid4().hex[:8]
    school, police = f"school-{sfx}", f"police-{sfx}"
    agencies = Path(tempfile.mkdtemp()) / "agencies.yaml"
    agencies.write_text(
        yaml.safe_dump(
            {
                "agencies": [
                    {"id": school, "kind": "school", "name": "S", "duty_contact": "d@s"},
                    {"id": police, "kind": "police", "name": "P", "duty_contact": "d@p"},
                ]
            }
        )
    )
    names = ThresholdsTopics(alerts=f"bench-alerts-{sfx}", acknowledgements=f"bench-acks-{sfx}")
    plain = f"bench-plain-{sfx}"
    await ensure_topics(
        settings,
        [topics.ingest(police), topics.ingest(school), names.alerts, names.acknowledgements, plain],
    )
    source = InMemorySchemaSource()
    codec = AvroCodec(source)
    n = rate * seconds
    records = []
    for i in range(n):
        child = f"cr1_{sfx}{i:024d}"
        event = sample_event(
            "DomesticAbuseIncidentNotified", child_ref=child, incident_at=INCIDENT, school=school
        )
        event.update(occurred_at=INCIDENT, source={**event["source"], "agency": police})
        records.append(
            (
                child.encode(),
                codec.encode("DomesticAbuseIncidentNotified", event),
                str(event["event_id"]),
            )
        )
    producer = build_producer(settings)
    await producer.start()

    sent: dict[str, float] = {}
    listening = asyncio.create_task(
        receive(settings, plain, n, lambda v: str(codec.decode(v)["event_id"]), seconds + 30)
    )
    await asyncio.sleep(1)
    await paced(producer, plain, records, rate, sent)
    baseline = latencies(sent, await listening)

    worker = build_thresholds(
        settings,
        source,
        agencies_file=agencies,
        app_id=f"bench-thresholds-{sfx}",
        names=names,
        tick_every_s=3600,
    )
    running = asyncio.create_task(worker.run())
    await asyncio.sleep(5)  # group join
    sent = {}
    listening = asyncio.create_task(
        receive(
            settings,
            names.alerts,
            n,
            lambda v: str(codec.decode(v)["correlation_id"]),
            seconds + 60,
        )
    )
    await asyncio.sleep(1)
    await paced(producer, topics.ingest(police), records, rate, sent)
    alerted = latencies(sent, await listening)
    worker.stopping.set()
    await asyncio.wait_for(running, 60)
    await producer.stop()

    p50, p99 = percentile(alerted, 50), percentile(alerted, 99)
    b50, b99 = percentile(baseline, 50), percentile(baseline, 99)
    print(f"rate {rate} events/s for {seconds} s ({n} events); alerts received: {len(alerted)}")
    print(f"baseline produce->consume latency: p50 {b50:.1f} ms, p99 {b99:.1f} ms")
    print(
        f"publish->alert latency:            p50 {p50:.1f} ms, p99 {p99:.1f} ms "
        f"(mean {statistics.mean(alerted):.1f} ms)"
    )
    print(f"ratio to baseline: p50 {p50 / b50:.1f}x, p99 {p99 / b99:.1f}x")


if __name__ == "__main__":
    rate = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    asyncio.run(main(rate, seconds))
