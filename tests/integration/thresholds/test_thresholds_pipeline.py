"""A fortnight of events for four children through the thresholds worker on the real broker.

The worker runs in this process (one InMemorySchemaSource shared with the
test) on topics unique to the test; it must raise exactly the expected
alerts, and escalate only the one nobody acknowledged before its deadline.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rigs.agencies import write_agencies

from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.bus.processor import LoopOptions
from services.thresholds.bootstrap import build_thresholds
from services.thresholds.processor import ThresholdsTopics

pytestmark = pytest.mark.integration
LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


class TestThresholdsPipeline:
    async def test_a_fortnight_raises_exactly_the_expected_alerts(  # noqa: C901 - one story
        self, bus_settings, tmp_path: Path
    ):
        """Persistent absence, a CP child's first unexplained absence, Operation Encompass
        (acknowledged in time for one child, escalated for the other), a multi-agency match."""
        sfx = uuid.uuid4().hex[:8]
        school, social, police = f"school-{sfx}", f"social-{sfx}", f"police-{sfx}"
        agencies = write_agencies(
            tmp_path / "agencies.yaml", {school: "school", social: "social-care", police: "police"}
        )
        names = ThresholdsTopics(alerts=f"alerts-{sfx}", acknowledgements=f"acks-{sfx}")
        await ensure_topics(
            bus_settings,
            [
                *(topics.ingest(a) for a in (school, social, police)),
                names.alerts,
                names.acknowledgements,
            ],
        )
        source = InMemorySchemaSource()
        codec = AvroCodec(source)
        producer = build_producer(bus_settings)
        await producer.start()
        child = {
            name: f"cr1_{sfx}{name:0>24}" for name in ("absent", "plan", "home", "late", "match")
        }

        async def publish(agency: str, event_type: str, who: str, at: dt.datetime, **fields):
            event = sample_event(event_type, child_ref=child[who], **fields)
            event.update(
                occurred_at=at, recorded_at=at, source={**event["source"], "agency": agency}
            )
            await producer.send_and_wait(
                topics.ingest(agency), codec.encode(event_type, event), key=child[who].encode()
            )
            published.append(event_type)

        published: list[str] = []

        worker = build_thresholds(
            bus_settings,
            source,
            agencies_file=agencies,
            app_id=f"thresholds-{sfx}",
            names=names,
            options=LoopOptions(tick_every_s=3600),
        )
        running = asyncio.create_task(worker.run())

        async def processed_all(extra: int = 0) -> None:
            """Agencies publish to their own topics: wait until the worker has read them all."""
            deadline = time.monotonic() + 60
            while worker.loop.processed < len(published) + extra:
                assert time.monotonic() < deadline, "the worker fell behind"
                await asyncio.sleep(0.2)

        for who in ("absent", "plan"):
            await publish(
                school,
                "PupilJoinedRoll",
                who,
                _at(dt.date(2026, 9, 2), 9),
                school=school,
                joined_on=dt.date(2026, 9, 2),
            )
        sessions, day = 0, dt.date(2026, 9, 3)
        while sessions < 20:  # 2 unauthorised of 20 possible sessions: exactly 10 %
            if day.weekday() < 5:
                for session in ("AM", "PM"):
                    sessions += 1
                    code = "O" if sessions in {19, 20} else "/"
                    await publish(
                        school,
                        "AttendanceMarked",
                        "absent",
                        _at(day, 10),
                        school=school,
                        session_date=day,
                        session=session,
                        register_code=code,
                    )
            day += dt.timedelta(days=1)
        await publish(
            social,
            "ChildProtectionPlanStarted",
            "plan",
            _at(dt.date(2026, 11, 9), 9),
            start_date=dt.date(2026, 11, 9),
        )
        await processed_all()
        await publish(
            school,
            "AttendanceMarked",
            "plan",
            _at(dt.date(2026, 11, 10), 9),
            school=school,
            session_date=dt.date(2026, 11, 10),
            session="AM",
            register_code="N",
        )
        friday_night = dt.datetime(2026, 11, 13, 21, 0, tzinfo=UTC)
        for who in ("home", "late"):
            await publish(
                police,
                "DomesticAbuseIncidentNotified",
                who,
                friday_night,
                incident_at=friday_night,
                school=school,
            )
        await publish(school, "ConcernRaised", "match", _at(dt.date(2026, 11, 12), 11))
        await publish(
            police,
            "MissingPersonReported",
            "match",
            _at(dt.date(2026, 11, 12), 22),
            reported_at=_at(dt.date(2026, 11, 12), 22),
        )

        alerts = build_consumer(bus_settings, names.alerts, group_id=None)
        await alerts.start()
        raised: list[dict] = []

        async def collect(count: int, seconds: float) -> None:
            deadline = time.monotonic() + seconds
            while len(raised) < count and time.monotonic() < deadline:
                for records in (await alerts.getmany(timeout_ms=300)).values():
                    raised.extend(codec.decode(r.value) for r in records)

        try:
            await collect(5, 60)
            encompass = {
                str(a["child_ref"]): a
                for a in raised
                if a["rule_id"] == "safeguarding.operation-encompass"
            }
            in_time = encompass[child["home"]]
            acknowledgement = sample_event(
                "AlertAcknowledged",
                child_ref=child["home"],
                alert_id=in_time["alert_id"],
                action="acknowledge",
            )
            sunday = dt.datetime(2026, 11, 15, 10, 0, tzinfo=UTC)
            acknowledgement.update(occurred_at=sunday, recorded_at=sunday)
            await producer.send_and_wait(
                names.acknowledgements,
                codec.encode("AlertAcknowledged", acknowledgement),
                key=child["home"].encode(),
            )
            await processed_all(extra=1)  # the acknowledgement too
            worker.loop.request_tick()  # escalation is on the wall clock: check it now
            await collect(6, 40)
            await collect(7, 3)
        finally:
            worker.stopping.set()
            await asyncio.wait_for(running, 30)
            await alerts.stop()
            await producer.stop()

        by_child = sorted(
            (who, a["rule_id"])
            for a in raised
            for who, ref in child.items()
            if str(a["child_ref"]) == ref
        )
        assert by_child == [
            ("absent", "attendance.persistent-absence"),
            ("home", "safeguarding.operation-encompass"),
            ("late", "safeguarding.operation-encompass"),
            ("late", "safeguarding.operation-encompass.escalated"),
            ("match", "safeguarding.multi-agency-match"),
            ("plan", "attendance.unexplained-absence-on-plan"),
        ]
        monday = dt.datetime(2026, 11, 16, 8, 30, tzinfo=LONDON)
        assert encompass[child["late"]]["due_by"] == monday
        match = next(a for a in raised if a["rule_id"] == "safeguarding.multi-agency-match")
        assert set(match["recipient_agencies"]) == {school, police}
