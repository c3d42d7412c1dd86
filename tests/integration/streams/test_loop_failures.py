"""The transactional loop when things go wrong in this process: a bug, a clash of ids.

A small counting processor (per child: how many records seen) runs on the
loop against the real broker. A failure in `handle` must abort the batch and
rewind (state included) so the retry writes each output once and counts each
record once; a failure that keeps happening must stop the loop with a clear
error after a bounded number of attempts; a second loop with the same
transactional id must stop the first with one sentence, not a loop of retries.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest
from stream_rig import PARTITIONS, publish, wait_until_async

from services.bus import topics
from services.bus.child_store import ChildStore, StateCodec
from services.bus.kafka import ensure_topics
from services.bus.loop_parts import StreamProcessingError
from services.bus.partition_reader import records_to_end
from services.bus.processor import LoopOptions
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings
from services.bus.stateful import ChildProcessor
from services.bus.transactional import TransactionalLoop

pytestmark = pytest.mark.integration
RECORDS = 3_000


class Counting(ChildProcessor[int]):
    """Counts records per child; copies each record to `out`; fails where told to."""

    def __init__(self, settings: BusSettings, app_id: str, out: str, fail_at: dict[int, int]):
        codec = StateCodec(lambda n: str(n).encode(), int)
        super().__init__(settings, ChildStore(topics.changelog(app_id), codec))
        self.out = out
        self.fail_at = fail_at  # record number -> how many more times to fail on it
        self.failures = 0

    def handle(self, record: Incoming) -> list[Outgoing]:
        number = int(record.value or b"0")
        if self.fail_at.get(number, 0) > 0:
            self.fail_at[number] -= 1
            self.failures += 1
            raise RuntimeError(f"a bug on record {number}")
        child = (record.key or b"").decode()
        seen = (self.store.get(record.partition, child) or 0) + 1
        return [
            Outgoing(self.out, record.key, record.value, record.partition),
            self.store.put(record.partition, child, seen),
        ]


async def _setup(bus_settings: BusSettings, fail_at: dict[int, int], tid: str | None = None):
    sfx = uuid.uuid4().hex[:8]
    settings = bus_settings.model_copy(update={"default_partitions": PARTITIONS})
    source, out, app_id = f"in-{sfx}", f"out-{sfx}", f"loop-{sfx}"
    await ensure_topics(settings, [source, out, topics.changelog(app_id)])
    processor = Counting(settings, app_id, out, fail_at)
    options = LoopOptions(batch=500, max_attempts=3, timeout_s=30)
    loop = TransactionalLoop(settings, processor, app_id, tid or f"{app_id}-a", [source], options)
    records = [(source, f"child-{n % 50}".encode(), str(n).encode()) for n in range(RECORDS)]
    return settings, processor, loop, records, out


def _written(settings: BusSettings, topic: str) -> Counter[bytes]:
    return Counter(r.value() or b"" for r in records_to_end(settings, topic, range(PARTITIONS)))


class TestLoopFailures:
    async def test_a_failing_batch_is_aborted_and_rewound_state_included(self, bus_settings):
        """A bug on two records (once each): each output once, each record counted once."""
        settings, processor, loop, records, out = await _setup(bus_settings, {700: 1, 2100: 1})
        await publish(settings, records)
        running = asyncio.create_task(loop.run())
        try:
            await wait_until_async(lambda: loop.processed >= RECORDS, 90, running)
        finally:
            loop.stopping.set()
            await asyncio.wait_for(running, 60)
        written = _written(settings, out)
        assert processor.failures == 2
        assert len(written) == RECORDS
        assert set(written.values()) == {1}
        latest: dict[bytes, int] = {}
        for r in records_to_end(settings, processor.changelog, range(PARTITIONS)):
            latest[r.key() or b""] = int(r.value() or b"0")
        assert latest == {f"child-{c}".encode(): RECORDS // 50 for c in range(50)}

    async def test_a_failure_that_keeps_happening_stops_the_loop_with_the_cause(self, bus_settings):
        """Three failures in a row: StreamProcessingError naming the cause; no output twice."""
        settings, _, loop, records, out = await _setup(bus_settings, {1500: 99})
        await publish(settings, records)
        with pytest.raises(StreamProcessingError, match="a bug on record 1500"):
            await asyncio.wait_for(loop.run(), 120)
        written = _written(settings, out)
        assert b"1500" not in written
        assert set(written.values()) <= {1}

    async def test_a_second_loop_with_the_same_transactional_id_stops_the_first(self, bus_settings):
        """Same transactional id twice: the older loop stops with one clear sentence."""
        sfx = uuid.uuid4().hex[:8]
        settings, _, first, records, _ = await _setup(bus_settings, {}, tid=f"clash-{sfx}")
        _, _, second, _, _ = await _setup(bus_settings, {}, tid=f"clash-{sfx}")
        feeding = asyncio.create_task(publish(settings, records * 20, rate=2_000))
        older = asyncio.create_task(first.run())
        try:
            await wait_until_async(lambda: first.processed > 0, 60, older)
            newer = asyncio.create_task(second.run())
            with pytest.raises(StreamProcessingError, match="another worker took over"):
                await asyncio.wait_for(older, 60)
        finally:
            feeding.cancel()
            second.stopping.set()
            first.stopping.set()
            await asyncio.wait_for(newer, 60)
