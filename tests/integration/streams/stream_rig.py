"""A rig for the stream processors' fault tests: real broker, real registry, real processes.

Workers run as `joinedup router worker` / `joinedup thresholds worker`
processes on topics unique to the test, so they can be SIGKILLed, SIGSTOPped
and restarted; what they wrote is then read back read_committed and counted.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from schemas.codec import AvroCodec
from services.bus import topics
from services.bus.kafka import build_producer
from services.bus.partition_reader import records_to_end
from services.bus.rdkafka import reader
from services.bus.settings import BusSettings

PARTITIONS = 6


def owns_partitions(worker: Worker) -> bool:
    """Whether the worker's current run has been assigned partitions (it is processing)."""
    return (
        "partitions assigned" in worker.log.read_text(errors="replace").rsplit("---- start", 1)[-1]
    )


@dataclass
class Worker:
    """One worker process of the rig."""

    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0
    ended_on_purpose: bool = False

    def start(self) -> Worker:
        self.runs += 1
        self.ended_on_purpose = False
        with self.log.open("ab") as out:
            out.write(f"\n---- start {self.runs} ----\n".encode())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services", *self.argv],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("ab"),
        )
        return self

    def signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything."""
        assert self.process is not None
        self.ended_on_purpose = True
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 30 s; the exit status (None when never started)."""
        if self.process is None:
            return None
        self.ended_on_purpose = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        return self.process.returncode

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


@dataclass
class Rig:
    """Settings, registry URL and where logs go, for one test."""

    settings: BusSettings
    registry_url: str
    codec: AvroCodec
    tmp: Path
    workers: list[Worker] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "JOINEDUP_BOOTSTRAP_SERVERS": self.settings.bootstrap,
            "JOINEDUP_REGISTRY_URL": self.registry_url,
            "JOINEDUP_HOME": str(self.tmp / "home"),
            "JOINEDUP_DEFAULT_PARTITIONS": str(PARTITIONS),
        }

    def worker(self, name: str, argv: list[str]) -> Worker:
        made = Worker(argv, self.env(), self.tmp / f"{name}.log")
        self.workers.append(made)
        return made

    def stop_all(self) -> list[int | None]:
        return [w.stop() for w in self.workers]

    def logs(self) -> str:
        return "\n".join(f"== {w.log.name}\n{w.tail(2500)}" for w in self.workers)


Record = tuple[str, bytes, bytes] | tuple[str, bytes, bytes, int]


class Feed:
    """Records published at a steady rate in the background: the clock of a fault test."""

    def __init__(self, settings: BusSettings, records: list[Record], rate: float) -> None:
        self.total = len(records)
        self.progress: list[int] = [0]
        self.task = asyncio.create_task(publish(settings, records, rate, self.progress))

    async def reached(self, share: float, rig: Rig) -> None:
        """Wait until `share` of the records are sent; the fault then hits mid-stream."""
        await wait_until(lambda: self.progress[0] >= self.total * share, 120, f"{share:.0%}", rig)

    async def done(self) -> None:
        await self.task
        assert self.progress[0] == self.total


async def publish(
    settings: BusSettings,
    records: Iterable[Record],
    rate: float | None = None,
    progress: list[int] | None = None,
) -> int:
    """Send (topic, key, value[, partition]) records, at `rate` per second if given."""
    producer = build_producer(settings, linger_ms=5)
    await producer.start()
    sent = 0
    started = time.monotonic()
    try:
        for topic, key, value, *partition in records:
            await producer.send(
                topic, value, key=key, partition=partition[0] if partition else None
            )
            sent += 1
            if progress is not None:
                progress[0] = sent
            if rate is not None and sent % 50 == 0:
                ahead = sent / rate - (time.monotonic() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
        await producer.flush()
    finally:
        await producer.stop()
    return sent


def read_all(settings: BusSettings, topic: str, codec: AvroCodec) -> list[dict[str, Any]]:
    """Every committed record of `topic`, decoded."""
    consumer = reader(settings)
    try:
        count = len(consumer.list_topics(topic, timeout=10).topics[topic].partitions)
    finally:
        consumer.close()
    return [codec.decode(r.value() or b"") for r in records_to_end(settings, topic, range(count))]


def copies(records: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], str]) -> Counter[str]:
    """How many times each key occurs."""
    return Counter(key(r) for r in records)


def group_lag(settings: BusSettings, group: str, sources: list[str]) -> int:
    """Records of `sources` not yet committed by `group`.

    Counts to the high watermark, so `sources` must be written without
    transactions (a commit marker would count as one record of lag).
    """
    return group_progress(settings, group, sources)[1]


def group_progress(settings: BusSettings, group: str, sources: list[str]) -> tuple[int, int]:
    """(records of `sources` committed by `group`, records not yet committed)."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap,
            **settings.client_security.librdkafka(),
            "group.id": group,
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    try:
        metadata = consumer.list_topics(timeout=10)
        partitions = [TopicPartition(t, p) for t in sources for p in metadata.topics[t].partitions]
        committed = consumer.committed(partitions, timeout=30)
        done = lag = 0
        for tp in committed:
            low, high = consumer.get_watermark_offsets(TopicPartition(tp.topic, tp.partition))
            start = tp.offset if tp.offset >= 0 else low
            done += start - low
            lag += max(0, high - start)
        return done, lag
    finally:
        consumer.close()


async def wait_until(check: Callable[[], bool], seconds: float, what: str, rig: Rig) -> None:
    """Poll `check` (in a thread) until true; fail with `what` and the logs after `seconds`,
    or at once when a worker the rig started has exited."""
    deadline = time.monotonic() + seconds
    while not await asyncio.to_thread(check):
        ended = [
            w
            for w in rig.workers
            if w.process is not None and w.process.poll() is not None and not w.ended_on_purpose
        ]
        if ended or time.monotonic() > deadline:
            cause = f"{ended[0].log.name} exited" if ended else "timed out"
            raise AssertionError(f"{cause} waiting for {what}\n{rig.logs()}")
        await asyncio.sleep(0.3)


def ingest(agency: str) -> str:
    return topics.ingest(agency)


async def wait_until_async(check: Callable[[], bool], seconds: float, task: asyncio.Task) -> None:
    """Wait until `check` holds; fail at once if `task` (the loop under test) ended."""
    deadline = time.monotonic() + seconds
    while not check():
        if task.done():
            task.result()
            raise AssertionError("the loop stopped before the check held")
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)
