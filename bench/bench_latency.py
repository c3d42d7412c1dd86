"""Latency at a steady offered rate: publish->view, publish->alert, and raw produce->consume.

Three phases in one run, each offered the same rate for the same time:
  raw    AttendanceMarked records through a plain topic (produce->consume);
  view   the same records to a school's ingest topic; the router (3 recipients
         with permitting agreements, audit on) runs in this process and the
         time runs until the record's view reaches a read_committed consumer
         of one recipient's view topic;
  alert  Operation Encompass notifications (DomesticAbuseIncidentNotified, each
         raises an AlertRaised) to a police ingest topic; the thresholds worker
         runs in this process and the time runs until the alert reaches a
         read_committed consumer of the alerts topic.
The load (a paced librdkafka producer, linger 5 ms like the bus's producers)
and the consumer that stamps arrivals run in a separate process, so the
worker under test and the measurement do not share a GIL. Every record has a
child_ref of its own, and outputs are matched by key. Before each phase,
WARM records are sent and their outputs awaited (group join, restore).

Needs a broker (`joinedup broker start`). Loopback only, bounded.
Run: .venv/bin/python bench/bench_latency.py [rate] [seconds]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, TopicPartition
from figures import percentiles, report_figures
from rig import delete_run_topics, fast_producer, produce, router_rig, write_agencies

from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.bus import rdkafka, topics
from services.bus.kafka import ensure_topics
from services.bus.logging import configure_logging
from services.bus.processor import LoopOptions
from services.bus.settings import BusSettings
from services.thresholds.bootstrap import build_thresholds
from services.thresholds.processor import ThresholdsTopics

WARM = 200
GRACE_S = 30.0
INCIDENT = dt.datetime(2026, 11, 13, 21, 0, tzinfo=dt.UTC)
TARGETS_P99_MS = {"view": 100.0, "alert": 500.0}
Records = list[tuple[bytes, bytes]]


# -- the load and the stopwatch (in a process of their own) -------------------


def _receive(topic: str, got: dict[bytes, float], stop: threading.Event) -> None:
    consumer = rdkafka.reader(BusSettings(), **{"enable.partition.eof": False})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        while not stop.is_set():
            message = consumer.poll(0.05)
            if message is not None and message.error() is None:
                got.setdefault(message.key() or b"", time.perf_counter())
    finally:
        consumer.close()


def _paced(producer: Any, topic: str, records: Records, rate: int) -> dict[bytes, float]:
    sent: dict[bytes, float] = {}
    began = time.perf_counter()
    for i, (key, value) in enumerate(records):
        delay = began + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent[key] = time.perf_counter()
        produce(producer, topic, value, key)
        producer.poll(0)
    producer.flush(30)
    return sent


def _wait_for(keys: list[bytes], got: dict[bytes, float], seconds: float) -> bool:
    """Wait until every key has arrived; False if some had not within `seconds`."""
    deadline = time.monotonic() + seconds
    arrived = 0
    while arrived < len(keys):
        while arrived < len(keys) and keys[arrived] in got:
            arrived += 1
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def harness(source: str, sink: str, warm: Records, records: Records, rate: int) -> dict[str, Any]:
    """Warm up, then offer `records` at `rate`; send and arrival times by key."""
    got: dict[bytes, float] = {}
    stop = threading.Event()
    receiver = threading.Thread(target=_receive, args=(sink, got, stop), daemon=True)
    receiver.start()
    producer = fast_producer(BusSettings(), **{"linger.ms": 5})
    try:
        _paced(producer, source, warm, rate)
        if not _wait_for([k for k, _ in warm], got, 120):
            return {"error": f"{sink}: the warm-up records' outputs did not arrive within 120 s"}
        time.sleep(1)
        cpu, began = time.process_time(), time.perf_counter()
        sent = _paced(producer, source, records, rate)
        offered = len(records) / (max(sent.values()) - began)
        _wait_for(list(sent), got, GRACE_S)
        cpu = time.process_time() - cpu
    finally:
        stop.set()
        receiver.join(10)
    arrived = [got[k] for k in sent if k in got]
    return {
        "latencies_ms": [(got[k] - t) * 1000 for k, t in sent.items() if k in got],
        "sent": len(sent),
        "offered_per_s": offered,
        "delivered_per_s": len(arrived) / (max(arrived, default=began) - began or 1),
        "harness_cpu_s": cpu,
    }


# -- the phases ------------------------------------------------------------------


async def measure(
    pool: ProcessPoolExecutor,
    source: str,
    sink: str,
    records: Records,
    rate: int,
    *,
    worker: asyncio.Future[Any] | None = None,
) -> dict[str, Any]:
    """Run the harness; if `worker` fails first, raise its error."""
    loop = asyncio.get_running_loop()
    timing = loop.run_in_executor(pool, harness, source, sink, records[:WARM], records[WARM:], rate)
    if worker is not None:
        done, _ = await asyncio.wait({timing, worker}, return_when=asyncio.FIRST_COMPLETED)
        if worker in done and timing not in done:
            worker.result()
            raise SystemExit(f"the worker under test stopped while {sink} was measured")
    result = await timing
    if "error" in result:
        raise SystemExit(result["error"])
    received, sent = len(result["latencies_ms"]), result["sent"]
    if received < sent:
        msg = f"{sink}: {sent - received} of {sent} outputs missing {GRACE_S:g} s after sending"
        raise SystemExit(msg)
    return {
        "events": sent,
        "offered_per_s": round(result["offered_per_s"]),
        "delivered_per_s": round(result["delivered_per_s"]),
        "harness_cpu_s": round(result["harness_cpu_s"], 1),
        **percentiles(result["latencies_ms"]),
    }


async def view_phase(
    pool: ProcessPoolExecutor, settings: BusSettings, rate: int, n: int, tmp: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(raw produce->consume, publish->view) on the same AttendanceMarked records."""
    suffix = uuid.uuid4().hex[:8]
    schemas = InMemorySchemaSource()
    codec = AvroCodec(schemas)
    try:
        rig = await router_rig(settings, codec, suffix, tmp)
        plain = f"bench-plain-{suffix}"
        await ensure_topics(settings, [plain])
        records = [
            ((child := f"cr1_view{suffix}{i:024d}").encode(), rig.attendance(codec, child))
            for i in range(WARM + n)
        ]
        raw = await measure(pool, plain, plain, records, rate)
        print("raw done", file=sys.stderr)
        router = rig.build(schemas, LoopOptions(tick_every_s=3600))
        running = asyncio.ensure_future(router.run())
        try:
            view = await measure(pool, rig.source, rig.views[0], records, rate, worker=running)
        finally:
            router.stopping.set()
            await asyncio.wait_for(running, 60)
        print("view done", file=sys.stderr)
    finally:
        delete_run_topics(settings, suffix)
    return raw, view


def notifications(codec: AvroCodec, suffix: str, school: str, police: str, n: int) -> Records:
    records = []
    for i in range(n):
        child = f"cr1_alert{suffix}{i:023d}"
        event = sample_event(
            "DomesticAbuseIncidentNotified", child_ref=child, incident_at=INCIDENT, school=school
        )
        event.update(occurred_at=INCIDENT, source={**event["source"], "agency": police})
        records.append((child.encode(), codec.encode("DomesticAbuseIncidentNotified", event)))
    return records


async def alert_phase(
    pool: ProcessPoolExecutor, settings: BusSettings, rate: int, n: int, tmp: Path
) -> dict[str, Any]:
    """Publish->alert through the thresholds worker, on topics of its own."""
    suffix = uuid.uuid4().hex[:8]
    try:
        return await _alerts(pool, settings, rate, n, tmp, suffix=suffix)
    finally:
        delete_run_topics(settings, suffix)


async def _alerts(
    pool: ProcessPoolExecutor, settings: BusSettings, rate: int, n: int, tmp: Path, *, suffix: str
) -> dict[str, Any]:
    school, police = f"school-{suffix}", f"police-{suffix}"
    agencies = write_agencies(
        tmp / "thresholds-agencies.yaml",
        [
            {"id": school, "kind": "school", "name": "S", "duty_contact": "d@s"},
            {"id": police, "kind": "police", "name": "P", "duty_contact": "d@p"},
        ],
    )
    names = ThresholdsTopics(
        alerts=f"bench-alerts-{suffix}", acknowledgements=f"bench-acks-{suffix}"
    )
    await ensure_topics(
        settings,
        [topics.ingest(police), topics.ingest(school), names.alerts, names.acknowledgements],
    )
    schemas = InMemorySchemaSource()
    records = notifications(AvroCodec(schemas), suffix, school, police, WARM + n)
    worker = build_thresholds(
        settings,
        schemas,
        agencies_file=agencies,
        app_id=f"bench-thresholds-{suffix}",
        names=names,
        options=LoopOptions(tick_every_s=3600),
    )
    running = asyncio.ensure_future(worker.run())
    try:
        return await measure(
            pool, topics.ingest(police), names.alerts, records, rate, worker=running
        )
    finally:
        worker.stopping.set()
        await asyncio.wait_for(running, 60)


def show(label: str, f: dict[str, Any], target: float | None = None) -> None:
    line = (
        f"{label:<34} p50 {f['p50']:>7.1f}  p90 {f['p90']:>7.1f}  p99 {f['p99']:>7.1f}  "
        f"max {f['max']:>7.1f} ms  ({f['events']:,} events offered at {f['offered_per_s']:,}/s, "
        f"delivered at {f['delivered_per_s']:,}/s)"
    )
    if target is not None:
        verdict = "meets" if f["p99"] <= target else "MISSES"
        line += f"  target p99 <= {target:g} ms: {verdict}"
    print(line)


async def main(rate: int, seconds: int) -> None:
    configure_logging("WARNING")
    settings = BusSettings()
    n = rate * seconds
    with (
        tempfile.TemporaryDirectory() as tmp,
        ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool,
    ):
        raw, view = await view_phase(pool, settings, rate, n, Path(tmp))
        alert = await alert_phase(pool, settings, rate, n, Path(tmp))
    print(f"offered rate {rate:,} events/s for {seconds} s per phase ({n:,} events)")
    show("raw produce->consume (plain topic)", raw)
    show("publish->view (router)", view, TARGETS_P99_MS["view"])
    show("publish->alert (thresholds)", alert, TARGETS_P99_MS["alert"])
    over = {name: f["p99"] / raw["p99"] for name, f in (("view", view), ("alert", alert))}
    print(f"p99 over raw: view {over['view']:.1f}x, alert {over['alert']:.1f}x")
    report_figures(
        "bench_latency",
        {
            "rate": rate,
            "seconds": seconds,
            "raw_produce_consume_ms": raw,
            "publish_view_ms": view,
            "publish_alert_ms": alert,
            "targets_p99_ms": TARGETS_P99_MS,
        },
    )


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 2_000,
            int(sys.argv[2]) if len(sys.argv) > 2 else 20,
        )
    )
