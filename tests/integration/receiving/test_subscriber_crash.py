"""The SDK's Subscriber in a real process, SIGKILLed mid-stream and started again.

The subscriber (subscribing_child.py, `Subscriber.run` with a handler that
appends each disclosure to a JSON-lines file) starts on a backlog - committed
transactions, aborted ones between them, and records that are not bus Avro at
all - and SIGKILLs itself inside its handler mid-batch. It is started again in
the same group while more records flow in. Then: every committed disclosure is
in the file, the aborted ones never are, a copy appears only for disclosures
handled since the last commit before the kill, and the undecodable
records are in the view's dead letters.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
from receiving_rig import disclosures

from services.bus import topics
from services.bus.reading import records_to_end
from services.sdk.subscriber import SubscriberOptions

pytestmark = pytest.mark.integration

CHILD = Path(__file__).with_name("subscribing_child.py")
BACKLOG = 2000
LIVE = 1000
KILL_AFTER = 777
WAIT_S = 120


def lines_of(path: Path) -> list[dict]:
    """The disclosures the handler stored, in order (a torn last line is not yet stored)."""
    if not path.exists():
        return []
    stored = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            stored.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return stored


async def start_subscriber(agency: str, name: str, out: Path, registry_url: str, *kill_after):
    """The subscriber as a process of its own."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(CHILD),
        *(agency, name, str(out), *map(str, kill_after)),
        env={**os.environ, "JOINEDUP_REGISTRY_URL": registry_url},
        stderr=asyncio.subprocess.PIPE,
    )


async def until(check, process, timeout_s: float = WAIT_S) -> None:
    """Poll `check` until true; fail early with its stderr if `process` dies."""
    async with asyncio.timeout(timeout_s):
        while not check():
            if process.returncode is not None:
                error = (await process.stderr.read()).decode()
                pytest.fail(f"the subscriber exited {process.returncode}: {error[-2000:]}")
            await asyncio.sleep(0.1)


async def write_with_noise(writer, agency, records, aborted, tag: str) -> None:
    """`records` in committed transactions; an aborted one and a non-Avro record between."""
    half = len(records) // 2
    await writer.write(records[:half])
    await writer.write(aborted, commit=False)
    await writer.write_raw(agency, f"not avro {tag}".encode())
    await writer.write(records[half:])


class TestSubscriberKilled:
    async def test_every_disclosure_at_least_once_and_copies_only_around_the_kill(
        self, bus_settings, registry, agencies, writer, unique_name, tmp_path, event_ids
    ):
        """SIGKILL mid-batch and a restart: nothing lost, no aborted record, undecodable ones
        dead-lettered, and copies only of what was handled since the last commit."""
        agency = agencies[0]
        name = unique_name("crash")
        out = tmp_path / "received.jsonl"
        backlog, live = disclosures(agency, BACKLOG), disclosures(agency, LIVE, start=BACKLOG)
        aborted = disclosures(agency, 100, start=10_000)
        await write_with_noise(writer, agency, backlog, aborted[:50], "backlog")

        first = await start_subscriber(agency, name, out, registry.url, KILL_AFTER)
        assert await asyncio.wait_for(first.wait(), WAIT_S) == -signal.SIGKILL
        before_kill = len(lines_of(out))
        second = await start_subscriber(agency, name, out, registry.url)
        try:
            for start in range(0, LIVE, 200):
                tag = f"live {start}" if start == 0 else None
                if tag:
                    await write_with_noise(writer, agency, live[:200], aborted[50:], tag)
                else:
                    await writer.write(live[start : start + 200])
                await asyncio.sleep(0.1)
            wanted = set(event_ids(backlog + live))
            await until(lambda: wanted <= {d["event_id"] for d in lines_of(out)}, second)
            await asyncio.sleep(1.0)  # room for anything more it would hand over
        finally:
            second.kill()
            await second.wait()

        ids = [d["event_id"] for d in lines_of(out)]
        counts = Counter(ids)
        copies = {i for i, n in counts.items() if n > 1}
        assert before_kill == KILL_AFTER
        assert set(ids) == wanted
        assert not set(ids) & set(event_ids(aborted))
        assert copies
        assert max(counts.values()) == 2
        assert len(set(ids[:before_kill])) == before_kill
        assert len(set(ids[before_kill:])) == len(ids) - before_kill
        # Copies are, per partition, the tail of what was handled before the kill (past
        # the last commit: the batch in hand, and the one before if its commit was in
        # flight) and the first thing handled after the restart.
        assert len(copies) < 2 * SubscriberOptions().max_batch
        stored = lines_of(out)
        for partition in {d["partition"] for d in stored}:
            before = [d["event_id"] for d in stored[:before_kill] if d["partition"] == partition]
            after = [d["event_id"] for d in stored[before_kill:] if d["partition"] == partition]
            copied = [i for i in before if i in copies]
            assert before[len(before) - len(copied) :] == copied
            assert after[: len(copied)] == copied

        letters = [
            record
            async for record in records_to_end(bus_settings, topics.deadletter(topics.view(agency)))
        ]
        # At least once for dead letters too: one written just before the kill comes again.
        assert {letter.value for letter in letters} == {b"not avro backlog", b"not avro live 0"}
        assert max(Counter(letter.value for letter in letters).values()) <= 2
        assert {dict(letter.headers)["joinedup.reason"] for letter in letters} == {
            b"bad-magic-byte"
        }
