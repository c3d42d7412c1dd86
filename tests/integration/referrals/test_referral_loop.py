"""A school's referral through the router and the thresholds worker on the real broker.

No decision one working day after the referral: exactly one overdue alert.
Then the decision: the school's view holds exactly the decision fields, the
audit shows the permit, and no other school is asked. A disagreement on
another referral escalates through two stages of the (locally overridden)
procedure on the calendar. Both workers run in this process on topics unique
to the test; times are set back so that the wall clock has passed the deadlines.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from pathlib import Path

import pytest
import yaml
from rigs.agencies import write_agencies

from consent.domain.agreement import SharingAgreement
from consent.records import agreement_record
from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.bus.processor import LoopOptions
from services.config.files import agreement_templates
from services.consent.adapters.agreement_files import read_agreement_files
from services.router.bootstrap import build_router
from services.router.stage import RouterTopics
from services.thresholds.bootstrap import build_thresholds
from services.thresholds.domain.calendar import load_calendar
from services.thresholds.processor import ThresholdsTopics

pytestmark = pytest.mark.integration
DECISION_FIELDS = {"outcome", "threshold_level", "reason_category", "next_steps", "contact"}
MARGIN = dt.timedelta(minutes=20)


def _referral_time(now: dt.datetime, working_days: int, within: int) -> dt.datetime:
    """A moment `working_days` working days (and a little) before `now`, so that that many have
    passed but not `within` more: the deadline is behind the wall clock, the next one ahead."""
    calendar = load_calendar()
    for hours in range(1, 24 * 14):
        start = now - dt.timedelta(hours=hours)
        passed = calendar.add_working_days(start, working_days) < now - MARGIN
        ahead = calendar.add_working_days(start, working_days + within) > now + MARGIN
        if passed and ahead:
            return start.replace(microsecond=0)
    raise AssertionError("no referral time fits the calendar")


def _templates(school: str, social: str) -> list[SharingAgreement]:
    """The packaged referral templates, as consent officers would publish them."""
    del school, social  # the templates select agencies by kind
    return [
        SharingAgreement.model_validate({**draft.model_dump(), "version": 1})
        for draft in read_agreement_files(agreement_templates()).drafts
        if draft.id.startswith("isa-referral")
    ]


class _Bus:
    """Publishes agencies' events and reads topics back, for one test."""

    def __init__(self, settings, codec: AvroCodec, child: str) -> None:
        self.settings = settings
        self.codec = codec
        self.child = child
        self.producer = build_producer(settings)
        self.published = 0

    async def publish(self, agency: str, event_type: str, at: dt.datetime, **fields) -> dict:
        event = sample_event(event_type, child_ref=self.child, **fields)
        event.update(occurred_at=at, recorded_at=fields.get("recorded_at", at))
        event["source"] = {**event["source"], "agency": agency}
        await self.producer.send_and_wait(
            topics.ingest(agency), self.codec.encode(event_type, event), key=self.child.encode()
        )
        self.published += 1
        return event

    async def read(self, topic: str, want: int, seconds: float = 30) -> list[dict]:
        consumer = build_consumer(self.settings, topic, group_id=None)
        await consumer.start()
        found: list[dict] = []
        try:
            deadline = time.monotonic() + seconds
            while len(found) < want and time.monotonic() < deadline:
                for records in (await consumer.getmany(timeout_ms=300)).values():
                    found.extend(self.codec.decode(r.value) for r in records)
            for records in (await consumer.getmany(timeout_ms=1500)).values():
                found.extend(self.codec.decode(r.value) for r in records)
        finally:
            await consumer.stop()
        return found


class TestReferralLoop:
    async def test_overdue_decision_feedback_and_disagreement_stages(
        self, bus_settings, tmp_path: Path
    ):
        """One overdue alert; the decision to the referrer only, audited; two stage escalations."""
        sfx = uuid.uuid4().hex[:8]
        school, other, social = f"school-{sfx}", f"school-{sfx}-b", f"social-{sfx}"
        agencies = write_agencies(
            tmp_path / "agencies.yaml",
            {school: "school", other: "school", social: "social-care"},
        )
        override = tmp_path / "threshold-rules.yaml"
        stages = yaml.safe_load(
            (
                Path(__file__).parents[3] / "services/config/defaults/threshold-rules.yaml"
            ).read_text()
        )["rules"]["referrals.disagreement-stage-overdue"]["stages"]
        quick = [{**s, "working_days": days} for s, days in zip(stages, (1, 1, 5), strict=True)]
        override.write_text(
            yaml.safe_dump({"rules": {"referrals.disagreement-stage-overdue": {"stages": quick}}})
        )
        router_names = RouterTopics(
            alerts=f"router-alerts-{sfx}",
            directives=f"directives-{sfx}",
            audit=f"audit-{sfx}",
            agreements=f"agreements-{sfx}",
        )
        names = ThresholdsTopics(alerts=f"alerts-{sfx}", acknowledgements=f"acks-{sfx}")
        await ensure_topics(
            bus_settings,
            [
                *(topics.ingest(a) for a in (school, other, social)),
                *(topics.view(a) for a in (school, other, social)),
                router_names.alerts,
                router_names.directives,
                router_names.audit,
                router_names.agreements,
                names.alerts,
                names.acknowledgements,
            ],
        )
        source = InMemorySchemaSource()
        codec = AvroCodec(source)
        bus = _Bus(bus_settings, codec, f"cr1_{sfx}{'r' * 24}")
        await bus.producer.start()
        for agreement in _templates(school, social):
            await bus.producer.send_and_wait(
                router_names.agreements,
                codec.encode("SharingAgreementPublished", agreement_record(agreement)),
                key=agreement.id.encode(),
            )
        options = LoopOptions(tick_every_s=3600)
        thresholds = build_thresholds(
            bus_settings,
            source,
            agencies_file=agencies,
            app_id=f"thresholds-{sfx}",
            names=names,
            rules_override=override,
            options=options,
        )
        router = build_router(
            bus_settings, source, agencies, app_id=f"router-{sfx}", router_topics=router_names
        )
        running = [asyncio.create_task(thresholds.run()), asyncio.create_task(router.run())]
        alerts = build_consumer(bus_settings, names.alerts, group_id=None)
        await alerts.start()
        raised: list[dict] = []

        async def caught_up() -> None:
            deadline = time.monotonic() + 60
            while thresholds.loop.processed < bus.published:
                assert time.monotonic() < deadline, "the thresholds worker fell behind"
                await asyncio.sleep(0.2)

        async def tick_and_collect(want: int, seconds: float) -> None:
            await caught_up()
            thresholds.loop.request_tick()
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and len(raised) < want:
                for records in (await alerts.getmany(timeout_ms=300)).values():
                    raised.extend(codec.decode(r.value) for r in records)
            for records in (await alerts.getmany(timeout_ms=2000)).values():
                raised.extend(codec.decode(r.value) for r in records)

        now = dt.datetime.now(dt.UTC)
        referred = _referral_time(now, 1, 1)
        referral = f"ref-{sfx}-1"
        try:
            await bus.publish(
                other, "PupilJoinedRoll", referred - dt.timedelta(days=30), school=other
            )
            await bus.publish(school, "ConcernRaised", referred, correlation_id=referral)
            await bus.publish(
                school, "ReferralMade", referred, correlation_id=referral, referred_to=social
            )
            await tick_and_collect(1, 30)
            await tick_and_collect(2, 4)  # a second tick raises nothing more
            overdue = [a for a in raised if a["rule_id"].startswith("referrals.decision")]
            assert [a["rule_id"] for a in overdue] == ["referrals.decision-overdue"]
            assert overdue[0]["recipient_agencies"] == [social]
            assert overdue[0]["recipient_roles"] == ["duty-manager"]

            decided_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=1)
            decision = await bus.publish(
                social,
                "ReferralDecided",
                decided_at,
                correlation_id=referral,
                referrer_agency=school,
                outcome="early_help",
                decided_at=decided_at,
                primary_need="N1",
            )
            view = await bus.read(topics.view(school), 1)
            audit = await bus.read(router_names.audit, 2)

            second = f"ref-{sfx}-2"
            raised_at = _referral_time(dt.datetime.now(dt.UTC), 2, 5)
            made = raised_at - dt.timedelta(hours=2)
            await bus.publish(
                school, "ReferralMade", made, correlation_id=second, referred_to=social
            )
            await bus.publish(
                social,
                "ReferralDecided",
                made + dt.timedelta(hours=1),
                correlation_id=second,
                referrer_agency=school,
                outcome="no_further_action",
                decided_at=made + dt.timedelta(hours=1),
            )
            await bus.publish(
                school,
                "ProfessionalDisagreementRaised",
                raised_at,
                correlation_id=second,
                referrer_agency=school,
                raised_with=social,
                about="referral_decision",
                stage=1,
            )
            await tick_and_collect(3, 30)
            await tick_and_collect(4, 4)
        finally:
            thresholds.stopping.set()
            router.stopping.set()
            await asyncio.wait_for(asyncio.gather(*running), 30)
            await alerts.stop()
            await bus.producer.stop()

        assert [str(v["event_id"]) for v in view] == [str(decision["event_id"])]
        assert set(json.loads(view[0]["fields"])) == DECISION_FIELDS
        assert view[0]["agreement_id"] == "isa-referral-feedback-schools"
        about_decision = [
            a for a in audit if str(a["subject_event_id"]) == str(decision["event_id"])
        ]
        assert [(a["recipient"], a["decision"]) for a in about_decision] == [(school, "permit")]
        assert about_decision[0]["agreement_id"] == "isa-referral-feedback-schools"
        assert set(about_decision[0]["fields"]) >= DECISION_FIELDS
        assert "primary_need" not in about_decision[0]["fields"]

        rules = [a["rule_id"] for a in raised]
        assert rules == [
            "referrals.decision-overdue",
            "referrals.disagreement-stage-overdue",
            "referrals.disagreement-stage-overdue",
        ]
        first, second_stage = raised[1], raised[2]
        assert "stage 1 (practitioners)" in first["summary"]
        assert set(first["recipient_roles"]) == {"team-manager", "headteacher"}
        assert "stage 2 (managers)" in second_stage["summary"]
        assert set(second_stage["recipient_roles"]) == {
            "head-of-service",
            "designated-safeguarding-lead",
        }
        assert set(second_stage["recipient_agencies"]) == {school, social}
