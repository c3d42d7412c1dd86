"""A thresholds worker SIGKILLed while it hands absorbed children over: nothing lost, nothing twice.

1,500 pairs of child_refs have register marks (each absorbed child 2, each
survivor 1); a `joinedup thresholds worker` process reads them, then the
merges arrive at 300 a second and the worker is killed with about a third of
them committed. Restarted, it finishes; one more mark per absorbed child is
then forwarded. Each merge's forward mark and its state hand-over commit in
one transaction, and the fold commits with the hand-over's offset, so every
survivor counts exactly 2 + 1 + 1 sessions (a lost hand-over leaves 1 or 2, a
doubled one 6), every absorbed child forwards and keeps its own 2, and the
hand-over topic holds one state record per merge.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import pytest
from integration.streams.stream_rig import (
    PARTITIONS,
    Rig,
    group_lag,
    group_progress,
    owns_partitions,
    publish,
    wait_until,
)
from rigs.agencies import write_agencies

from schemas.codec import AvroCodec
from schemas.registry_client import RegistryClient
from schemas.samples import sample_event
from services.bus import topics
from services.bus.child_store import FORWARD_HEADER, Forward
from services.bus.kafka import ensure_topics
from services.bus.merging import HANDOVER_HEADER, RECORD, STATE
from services.bus.partition_reader import records_to_end
from services.thresholds.domain.calendar import load_calendar

pytestmark = pytest.mark.integration

PAIRS = 1_500
RATE = 300.0
UTC = dt.UTC


def school_days(count: int) -> list[dt.date]:
    calendar, day, found = load_calendar(), dt.date(2026, 9, 3), []
    while len(found) < count:
        if calendar.is_school_day(day):
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def mark(codec: AvroCodec, school: str, child_ref: str, day: dt.date) -> tuple[str, bytes, bytes]:
    at = dt.datetime.combine(day, dt.time(9), tzinfo=UTC)
    event = sample_event(
        "AttendanceMarked",
        child_ref=child_ref,
        school=school,
        session_date=day,
        session="AM",
        register_code="/",
        occurred_at=at,
        recorded_at=at,
    )
    event["source"] = {**event["source"], "agency": school}
    return topics.ingest(school), child_ref.encode(), codec.encode("AttendanceMarked", event)


def merged(codec: AvroCodec, merge_id: str, surviving: str, absorbed: str) -> tuple[str, ...]:
    at = dt.datetime(2026, 10, 1, 12, tzinfo=UTC)
    event = sample_event(
        "ChildRefsMerged",
        child_ref=absorbed,
        merge_id=merge_id,
        surviving_child_ref=surviving,
        absorbed_child_ref=absorbed,
        decided_at=at,
        occurred_at=at,
        recorded_at=at,
    )
    return absorbed.encode(), codec.encode("ChildRefsMerged", event)


def latest(settings, topic: str) -> dict[str, tuple[dict, dict[str, bytes]]]:
    """The last (value, headers) of every key of a changelog, read committed."""
    found = {}
    for record in records_to_end(settings, topic, range(PARTITIONS)):
        headers = dict(record.headers() or [])
        found[record.key().decode()] = (json.loads(record.value()), headers)
    return found


def sessions(value: dict) -> int:
    return value["state"].get("year_counts", [0])[0]


class TestHandoverCrash:
    async def test_sigkill_during_the_handover_loses_and_doubles_nothing(
        self, bus_settings, registry, tmp_path
    ):
        """Exact session counts per survivor, one state hand-over per merge, after a kill -9."""
        sfx = uuid.uuid4().hex[:8]
        settings = bus_settings.model_copy(update={"default_partitions": PARTITIONS})
        school = f"school-{sfx}"
        agencies = write_agencies(tmp_path / "agencies.yaml", {school: "school"})
        merges, alerts, acks = f"identity.merges-{sfx}", f"alerts-{sfx}", f"acks-{sfx}"
        app_id = f"thresholds-handover-{sfx}"
        await ensure_topics(settings, [topics.ingest(school), merges, alerts, acks])
        codec = AvroCodec(RegistryClient(registry.url))
        rig = Rig(settings, registry.url, codec, tmp_path)
        pairs = [(f"cr1_{sfx}a{n:023d}", f"cr1_{sfx}s{n:023d}") for n in range(PAIRS)]
        days = school_days(4)
        marks = [mark(codec, school, a, day) for a, _ in pairs for day in days[:2]]
        marks += [mark(codec, school, s, days[2]) for _, s in pairs]
        decisions = [(merges, *merged(codec, str(uuid.uuid4()), s, a)) for a, s in pairs]
        later = [mark(codec, school, a, days[3]) for a, _ in pairs]
        worker = rig.worker(
            "thresholds",
            [
                "thresholds", "worker", "--agencies", str(agencies), "--app-id", app_id,
                "--alerts-topic", alerts, "--acknowledgements-topic", acks,
                "--merges-topic", merges, "--tick-every", "3600",
            ],
        )  # fmt: skip
        sources = [topics.ingest(school), merges]
        changelog = topics.changelog(app_id)
        try:
            await publish(settings, marks)
            worker.start()
            await wait_until(lambda: owns_partitions(worker), 90, "the worker's start", rig)
            await wait_until(
                lambda: group_lag(settings, app_id, [topics.ingest(school)]) == 0,
                120,
                "the marks",
                rig,
            )
            feeding = asyncio.create_task(publish(settings, decisions, RATE))
            await wait_until(
                lambda: group_progress(settings, app_id, [merges])[0] > PAIRS * 0.3,
                120,
                "a third of the merges",
                rig,
            )
            worker.kill()
            at_kill = group_progress(settings, app_id, [merges])[0]
            worker.start()
            assert await feeding == PAIRS
            await publish(settings, later)
            await wait_until(
                lambda: group_lag(settings, app_id, sources) == 0, 240, "the catch-up", rig
            )

            def survivors_done() -> bool:
                held = latest(settings, changelog)
                return all(s in held and sessions(held[s][0]) >= 4 for _, s in pairs)

            await wait_until(survivors_done, 120, "every survivor's hand-over", rig)
            await asyncio.sleep(2)  # anything doubled would show now
            held = latest(settings, changelog)
            handovers = list(records_to_end(settings, topics.handovers(app_id), range(PARTITIONS)))
        finally:
            statuses = rig.stop_all()
        assert 0 < at_kill < PAIRS, "the kill did not land during the hand-overs"
        counts = {sessions(held[s][0]) for _, s in pairs}
        assert counts == {4}, rig.logs()
        for a, s in pairs:
            value, headers = held[a]
            assert sessions(value) == 2
            assert Forward.decode(headers[FORWARD_HEADER]).survivor == s
            assert FORWARD_HEADER not in held[s][1]
        kinds = [dict(r.headers() or [])[HANDOVER_HEADER] for r in handovers]
        assert (kinds.count(STATE), kinds.count(RECORD)) == (PAIRS, PAIRS)
        assert statuses[-1] == 0, rig.logs()
        print(  # noqa: T201 - the figures of the run
            f"pairs={PAIRS} merges_committed_at_kill={at_kill} handovers={len(handovers)}"
        )
