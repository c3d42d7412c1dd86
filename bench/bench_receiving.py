"""Receiving a view: the SDK's Subscriber vs a raw aiokafka consumer, the HTTP feed, long-poll.

Run: .venv/bin/python bench/bench_receiving.py [events]   (broker at JOINEDUP_* settings;
schemas in memory; the view feed runs in-process behind uvicorn on a free 127.0.0.1 port)

1. One view of `events` DisclosedEvents (default 50,000) is read to its end by a
   raw aiokafka consumer (read_committed, group-less, records counted, nothing
   decoded) and by a `Subscriber` (its own group; decode, Disclosure, de-dup,
   commits), twice each, alternately; the best run of each counts. The target
   is a Subscriber at >= 0.5x the raw consumer.
2. One HTTP client pages the same view through the view feed, 500 per page.
3. Long-poll latency: a producer writes 200 events/s to a fresh view for 30 s
   while one client long-polls it (wait=25, limit=500); latency is from the
   write's acknowledgement to the page's arrival, per event.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import uvicorn
from aiokafka import AIOKafkaConsumer
from figures import percentiles, report_figures
from rig import delete_run_topics, publish

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.alerts.samples import disclosed_record
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.bus.settings import BusSettings
from services.sdk.subscriber import Subscriber
from services.view_feed.bootstrap import build_view_feed
from services.view_feed.domain.readers import token_digest
from services.view_feed.settings import ViewFeedSettings

TOKEN = "bench-view-token"  # noqa: S105 - a benchmark's own token
RATE = 200
LATENCY_S = 30
PAGE = 500


def view_records(codec: AvroCodec, agency: str, count: int) -> list[tuple[bytes, bytes]]:
    """`count` encoded DisclosedEvents of `agency` over 5,000 children."""
    out = []
    for n in range(count):
        child = f"cr1_bench{n % 5000:05d}" + "b" * 22
        record = disclosed_record(
            agency, "AttendanceMarked", {"n": n, "session": "AM"}, child_ref=child
        )
        out.append((child.encode(), codec.encode("DisclosedEvent", record)))
    return out


async def raw_consume(settings: BusSettings, topic: str, count: int) -> float:
    """Seconds a group-less read_committed aiokafka consumer takes from first record to `count`."""
    consumer: AIOKafkaConsumer = build_consumer(settings, topic, group_id=None)
    await consumer.start()
    seen, started = 0, 0.0
    try:
        while seen < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            if batches and not started:
                started = time.perf_counter()
            seen += sum(len(records) for records in batches.values())
    finally:
        await consumer.stop()
    return time.perf_counter() - started


async def subscriber_consume(
    settings: BusSettings, agency: str, source: InMemorySchemaSource, count: int
) -> float:
    """Seconds a Subscriber (fresh group) takes from its first disclosure to `count`."""
    seen, started = 0, 0.0
    name = f"bench-{uuid.uuid4().hex[:8]}"
    async with Subscriber.connect(settings, agency, name, source) as subscriber:
        async for _disclosure in subscriber:
            if not started:
                started = time.perf_counter()
            seen += 1
            if seen >= count:
                break
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def serve_feed(settings: BusSettings, source: InMemorySchemaSource, agencies: list[str]):
    """The view feed on a free port, with one token for each of `agencies`."""
    folder = Path(tempfile.mkdtemp())
    readers = folder / "view-readers.yaml"
    lines = [f"  - {{agency: {a}, token_sha256: {token_digest(TOKEN)}}}" for a in agencies[:1]]
    lines += [f"  - {{agency: {a}, token_sha256: {token_digest(TOKEN + a)}}}" for a in agencies[1:]]
    readers.write_text("readers:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    app = build_view_feed(settings, source, ViewFeedSettings(readers_file=readers))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.05)
    return server, task, f"http://127.0.0.1:{port}"


async def page_through(url: str, agency: str, token: str, count: int) -> float:
    """Seconds one client takes to page `count` disclosures, 500 a page."""
    headers = {"Authorization": f"Bearer {token}"}
    seen, cursor = 0, None
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        started = time.perf_counter()
        while seen < count:
            params = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
            response = await client.get(f"/v1/views/{agency}", params=params)
            response.raise_for_status()
            body = response.json()
            seen += len(body["disclosures"])
            cursor = body["next_cursor"]
        return time.perf_counter() - started


async def long_poll_latency(
    settings: BusSettings, codec: AvroCodec, url: str, agency: str
) -> list[float]:
    """Milliseconds from each write's acknowledgement to its page's arrival, at RATE events/s."""
    acked: dict[str, float] = {}
    latencies: list[float] = []
    total = RATE * LATENCY_S
    producer = build_producer(settings, linger_ms=0)
    await producer.start()

    async def write() -> None:
        start = time.perf_counter()
        for n in range(total):
            await asyncio.sleep(max(0.0, start + n / RATE - time.perf_counter()))
            record = disclosed_record(agency, "AttendanceMarked", {"n": n})
            value = codec.encode("DisclosedEvent", record)
            await producer.send_and_wait(
                topics.view(agency), value, key=record["child_ref"].encode()
            )
            acked[str(record["event_id"])] = time.perf_counter()

    async def poll() -> None:
        headers = {"Authorization": f"Bearer {TOKEN + agency}"}
        cursor = None
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
            while len(latencies) < total:
                params = {"limit": PAGE, "wait": 25, **({"cursor": cursor} if cursor else {})}
                response = await client.get(f"/v1/views/{agency}", params=params)
                arrived = time.perf_counter()
                response.raise_for_status()
                body = response.json()
                cursor = body["next_cursor"]
                for disclosure in body["disclosures"]:
                    sent = acked.get(disclosure["event_id"])
                    # A page can beat the writer's own acknowledgement: count that as 0 ms.
                    latencies.append(0.0 if sent is None else (arrived - sent) * 1000)

    try:
        await asyncio.gather(write(), poll())
    finally:
        await producer.stop()
    return latencies


async def main(count: int) -> None:
    settings = BusSettings()
    suffix = uuid.uuid4().hex[:8]
    agency, latency_agency = f"school-bench-{suffix}", f"school-poll-{suffix}"
    topic = topics.view(agency)
    await ensure_topics(settings, [topic, topics.view(latency_agency)])
    source = InMemorySchemaSource()
    codec = AvroCodec(source)
    try:
        publish(settings, topic, view_records(codec, agency, count))
        raw, sdk = [], []
        for _ in range(2):
            raw.append(await raw_consume(settings, topic, count))
            sdk.append(await subscriber_consume(settings, agency, source, count))
        raw_rate, sdk_rate = count / min(raw), count / min(sdk)
        print(f"raw aiokafka consumer   {raw_rate:>10,.0f} events/s")
        print(f"Subscriber (SDK)        {sdk_rate:>10,.0f} events/s   {sdk_rate / raw_rate:.2f}x")

        server, serving, url = await serve_feed(settings, source, [agency, latency_agency])
        try:
            feed_rate = count / await page_through(url, agency, TOKEN, count)
            print(f"HTTP feed, 500 a page   {feed_rate:>10,.0f} events/s")
            latencies = await long_poll_latency(settings, codec, url, latency_agency)
        finally:
            server.should_exit = True
            await serving
        latency = percentiles(latencies)
        print(f"long-poll at {RATE} ev/s   p50 {latency['p50']} ms  p99 {latency['p99']} ms")
    finally:
        delete_run_topics(settings, suffix)
    report_figures(
        "receiving",
        {
            "events": count,
            "raw_aiokafka_events_per_s": round(raw_rate),
            "subscriber_events_per_s": round(sdk_rate),
            "subscriber_vs_raw": round(sdk_rate / raw_rate, 2),
            "http_feed_events_per_s_500_a_page": round(feed_rate),
            "long_poll_rate_events_per_s": RATE,
            "long_poll_seconds": LATENCY_S,
            "long_poll_latency_ms": latency,
        },
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000))
