"""Thresholds worker killed mid-stream with a large changelog: every alert exactly as a replay.

Half a term of register marks for a few hundred pupils (seeded absence
patterns) flows into a `joinedup thresholds worker` process; it is SIGKILLed
mid-stream, acknowledgements for alerts it had raised are published while it
is down, and it is started again. What it wrote to the alerts topic
(read_committed) is compared alert id by alert id with an offline replay of
the same events through the same rules: nothing lost, nothing wrong, nothing
twice - escalations included (checked on SIGUSR1 once everything is in).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import signal
import uuid
from collections.abc import Iterator

import pytest
from rigs.agencies import write_agencies
from stream_rig import (
    PARTITIONS,
    Rig,
    copies,
    group_lag,
    group_progress,
    owns_partitions,
    publish,
    read_all,
    wait_until,
)

from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.registry_client import RegistryClient
from schemas.samples import sample_event
from services.bus import topics
from services.bus.kafka import ensure_topics
from services.bus.records import Incoming
from services.thresholds.adapters.register_codes import register_codes
from services.thresholds.domain.calendar import load_calendar
from services.thresholds.domain.rules import load_rules
from services.thresholds.processor import Policy, ThresholdsProcessor, ThresholdsTopics

pytestmark = pytest.mark.integration

CHILDREN = 400
NOTIFIED = 100  # other children: one Operation Encompass notification each (deadline, escalation)
SCHOOL_DAYS = 25  # 400 pupils x 25 days x 2 sessions + joins = 20,400 events
RATE = 2_500.0
UTC = dt.UTC


def _school_days(start: dt.date, count: int) -> Iterator[dt.date]:
    calendar = load_calendar()
    day = start
    while count:
        if calendar.is_school_day(day):
            yield day
            count -= 1
        day += dt.timedelta(days=1)


def _profile(rng: random.Random) -> tuple[float, str, int | None]:
    """(chance a session is missed, the code for it, the school day a long run starts)."""
    kind = rng.choice(["present", "present", "patchy", "persistent", "run", "ill"])
    return {
        "present": (0.01, "O", None),
        "patchy": (0.08, "N", None),
        "persistent": (0.3, "O", None),
        "run": (0.05, "O", rng.randrange(0, 10)),
        "ill": (0.05, "I", rng.randrange(0, 8)),
    }[kind]


def term_of_marks(school: str, sfx: str, catalogue: Catalogue) -> list[dict]:
    """Joins, then both sessions of every pupil, day by day (seeded, so replayable)."""
    rng = random.Random(20260903)  # noqa: S311 - a seeded test fixture, not a secret
    children = [f"cr1_{sfx}{n:024d}" for n in range(CHILDREN)]
    profiles = {child: _profile(rng) for child in children}
    start = dt.date(2026, 9, 3)
    events = []
    for child in children:
        at = dt.datetime(2026, 9, 2, 9, tzinfo=UTC)
        events.append(
            sample_event(
                "PupilJoinedRoll",
                child_ref=child,
                catalogue=catalogue,
                school=school,
                joined_on=dt.date(2026, 9, 2),
                occurred_at=at,
                recorded_at=at,
            )
        )
    for index, day in enumerate(_school_days(start, SCHOOL_DAYS)):
        for child in children:
            chance, code, run_from = profiles[child]
            in_run = run_from is not None and run_from <= index < run_from + 12
            for session in ("AM", "PM"):
                missed = in_run or rng.random() < chance
                at = dt.datetime.combine(day, dt.time(9 if session == "AM" else 13), tzinfo=UTC)
                events.append(
                    sample_event(
                        "AttendanceMarked",
                        child_ref=child,
                        catalogue=catalogue,
                        school=school,
                        session_date=day,
                        session=session,
                        register_code=code if missed else "/",
                        occurred_at=at,
                        recorded_at=at,
                    )
                )
    for event in events:
        event["source"] = {**event["source"], "agency": school}
    return events


def notifications(police: str, school: str, sfx: str, catalogue: Catalogue) -> list[dict]:
    """Police domestic-abuse notifications, each due before the next school day."""
    events = []
    for n in range(NOTIFIED):
        at = dt.datetime(2026, 9, 4 + n % 20, 21, tzinfo=UTC)
        event = sample_event(
            "DomesticAbuseIncidentNotified",
            child_ref=f"cr1_{sfx}{n:012d}{'p' * 12}",
            catalogue=catalogue,
            incident_at=at,
            school=school,
            occurred_at=at,
            recorded_at=at,
        )
        event["source"] = {**event["source"], "agency": police}
        events.append(event)
    return events


def acknowledgement(alert: dict, catalogue: Catalogue) -> dict:
    """An acknowledgement in time (at the moment the alert was raised)."""
    ack = sample_event(
        "AlertAcknowledged",
        child_ref=str(alert["child_ref"]),
        catalogue=catalogue,
        alert_id=alert["alert_id"],
        action="acknowledge",
    )
    ack.update(occurred_at=alert["occurred_at"], recorded_at=alert["occurred_at"])
    return ack


def offline_replay(rig: Rig, app_id: str, names: ThresholdsTopics, encoded, acks) -> list[dict]:
    """The alerts the same rules raise for the same events, with no Kafka in between."""
    policy = Policy(load_rules(None), load_calendar(), register_codes())
    processor = ThresholdsProcessor(rig.settings, rig.codec, policy, app_id, names)
    processor.store.begin([0])
    outputs = []
    for offset, (_, key, value) in enumerate([*encoded, *acks]):
        outputs += processor.handle(Incoming("replay", 0, offset, key, value))
    outputs += processor.tick(dt.datetime.now(UTC))
    return [rig.codec.decode(o.value or b"") for o in outputs if o.topic == names.alerts]


class TestThresholdsCrash:
    async def test_sigkill_mid_stream_matches_the_offline_replay(
        self, bus_settings, registry, tmp_path
    ):
        """SIGKILL with a large changelog, acknowledgements while down: 0 lost, 0 wrong, 0 twice."""
        sfx = uuid.uuid4().hex[:8]
        settings = bus_settings.model_copy(update={"default_partitions": PARTITIONS})
        school, police = f"school-{sfx}", f"police-{sfx}"
        agencies = write_agencies(tmp_path / "agencies.yaml", {school: "school", police: "police"})
        names = ThresholdsTopics(alerts=f"alerts-{sfx}", acknowledgements=f"acks-{sfx}")
        app_id = f"thresholds-crash-{sfx}"
        await ensure_topics(
            settings,
            [topics.ingest(school), topics.ingest(police), names.alerts, names.acknowledgements],
        )
        codec = AvroCodec(RegistryClient(registry.url))
        rig = Rig(settings, registry.url, codec, tmp_path)
        catalogue = Catalogue.load()
        marks = term_of_marks(school, sfx, catalogue)
        notified = notifications(police, school, sfx, catalogue)
        step = len(marks) // len(notified)
        events = []
        for n, mark in enumerate(marks):
            events.append(mark)
            if n % step == 0 and n // step < len(notified):
                events.append(notified[n // step])
        encoded = [
            (
                topics.ingest(str(e["source"]["agency"])),
                str(e["child_ref"]).encode(),
                codec.encode(e["event_type"], e),
            )
            for e in events
        ]
        worker = rig.worker(
            "thresholds",
            [
                "thresholds", "worker", "--agencies", str(agencies), "--app-id", app_id,
                "--alerts-topic", names.alerts, "--acknowledgements-topic", names.acknowledgements,
                "--merges-topic", f"identity.merges-{sfx}", "--tick-every", "3600",
            ],
        )  # fmt: skip
        sources = [topics.ingest(school), topics.ingest(police), names.acknowledgements]
        try:
            worker.start()
            await wait_until(lambda: owns_partitions(worker), 90, "the worker's start", rig)
            feeding = asyncio.create_task(publish(settings, encoded, RATE))
            await wait_until(
                lambda: (
                    group_progress(settings, app_id, sources)[0] > len(encoded) * 0.6
                    and len(read_all(settings, names.alerts, codec)) > 0
                ),
                120,
                "the worker to get half way",
                rig,
            )
            worker.kill()
            raised_before = read_all(settings, names.alerts, codec)
            with_deadline = [a for a in raised_before if a["due_by"] is not None]
            acks = [
                (
                    names.acknowledgements,
                    str(a["child_ref"]).encode(),
                    codec.encode("AlertAcknowledged", acknowledgement(a, catalogue)),
                )
                for a in with_deadline[::2]
            ]
            await publish(settings, acks)
            worker.start()
            await feeding
            assert not feeding.result() < len(encoded)
            await wait_until(
                lambda: group_lag(settings, app_id, sources) == 0,
                240,
                "the worker to catch up",
                rig,
            )
            worker.signal(signal.SIGUSR1)  # escalations: check now
            expected = offline_replay(rig, app_id, names, encoded, acks)
            await wait_until(
                lambda: len(read_all(settings, names.alerts, codec)) >= len(expected),
                60,
                "the escalations",
                rig,
            )
            await asyncio.sleep(2)  # anything extra would show now
            got = read_all(settings, names.alerts, codec)
        finally:
            statuses = rig.stop_all()
        want = copies(expected, lambda a: str(a["alert_id"]))
        have = copies(got, lambda a: str(a["alert_id"]))
        lost = set(want) - set(have)
        wrong = set(have) - set(want)
        doubled = {k: n for k, n in have.items() if n > 1}
        assert len(raised_before) < len(expected), "the crash came too late to test anything"
        assert sum(1 for a in expected if a["rule_id"].endswith(".escalated")) > 0
        assert (len(lost), len(wrong), len(doubled)) == (0, 0, 0), rig.logs()
        assert len(want) == len(expected), "the replay itself raised an alert twice"
        assert statuses[-1] == 0, rig.logs()
        print(  # noqa: T201 - the figures of the run, for the issue
            f"events={len(encoded)} alerts={len(expected)} raised_before_kill={len(raised_before)} "
            f"acks={len(acks)} lost={len(lost)} wrong={len(wrong)} doubled={len(doubled)}"
        )
