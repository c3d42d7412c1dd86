"""Three agencies, a scripted sequence of agreements, directives and events, through the router.

The router runs in this process (one InMemorySchemaSource shared with the
test's producers and consumers) against the real broker, with topics unique
to this test.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rigs.agencies import write_agencies

from consent.domain import (
    AgencySelector,
    ConsentDirective,
    Period,
    RecipientSelector,
    RecordedBy,
    SharingAgreement,
)
from consent.records import agreement_record, directive_key, directive_record
from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.audit.reader import read_partitions, verify_audit
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics, partition_for
from services.router.bootstrap import build_router
from services.router.stage import RouterTopics

pytestmark = pytest.mark.integration

SINCE = datetime(2025, 9, 1, tzinfo=UTC)


def _agreement(agreement_id, title, provider, recipient, event_type, **terms):
    """Version 1 of an agreement for one event type, in force since SINCE; `terms` add or
    override (by default: for safeguarding, operational and special-category data)."""
    return SharingAgreement(
        id=agreement_id,
        version=1,
        title=title,
        provider=AgencySelector(agency=provider),
        recipient=RecipientSelector(agency=recipient),
        event_types=frozenset({event_type}),
        valid_from=SINCE,
        **{"purpose": "safeguarding", "data_classes": {"operational", "special-category"}} | terms,
    )


def _agreements(school: str, social: str, police: str) -> list[SharingAgreement]:
    on_roll = {"recipient-has-child-on-roll"}
    return [
        _agreement(
            "isa-cp-attendance",
            "Attendance of children on CP plans",
            school,
            social,
            "AttendanceMarked",
            conditions={"child-has-active-cp-plan"},
            legal_basis="public-task-ca1989-s47",
        ),
        _agreement(
            "isa-encompass",
            "Operation Encompass",
            police,
            school,
            "DomesticAbuseIncidentNotified",
            conditions=on_roll,
            legal_basis="safeguarding-special-category",
        ),
        _agreement(
            "isa-cp-to-school",
            "CP plans to the child's school",
            social,
            school,
            "ChildProtectionPlanStarted",
            conditions=on_roll,
            data_classes={"operational"},
            legal_basis="public-task-ca1989-s47",
        ),
        _agreement(
            "isa-early-help",
            "School concerns for early help, by consent",
            school,
            social,
            "ConcernRaised",
            purpose="early-help",
            legal_basis="consent",
        ),
    ]


def _directive(child: str, kind: str, recorded: datetime) -> ConsentDirective:
    return ConsentDirective(
        id=f"dir-{kind}",
        child_ref=child,
        kind=kind,
        purpose="early-help",  # type: ignore[arg-type]
        period=Period(start=SINCE),
        recorded_at=recorded,
        recorded_by=RecordedBy(role="consent-officer", agency="la-social-care"),
    )


async def _read_all(settings, topic: str, codec: AvroCodec, want: int, seconds: float = 30):
    consumer = build_consumer(settings, topic, group_id=None)
    await consumer.start()
    found: list[dict] = []
    try:
        deadline = time.monotonic() + seconds
        while len(found) < want and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                found.extend(codec.decode(r.value) for r in records)
        for records in (await consumer.getmany(timeout_ms=1500)).values():
            found.extend(codec.decode(r.value) for r in records)
    finally:
        await consumer.stop()
    return found


class TestRouterScenario:
    async def test_views_and_audit_hold_exactly_what_the_rules_allow(
        self, bus_settings, unique_name, tmp_path: Path
    ):
        """Each view holds exactly the permitted events and fields; one audit record per
        decision; a withdrawal applies to the next event; a tampered audit is caught."""
        suffix = uuid.uuid4().hex[:8]
        school, social, police = f"school-{suffix}", f"social-{suffix}", f"police-{suffix}"
        agencies = write_agencies(
            tmp_path / "agencies.yaml", {school: "school", social: "social-care", police: "police"}
        )
        names = RouterTopics(
            alerts=f"alerts-{suffix}",
            directives=f"consent-directives-{suffix}",
            audit=f"audit-{suffix}",
            agreements=f"consent-agreements-{suffix}",
        )
        directives_topic = names.directives
        await ensure_topics(
            bus_settings,
            [
                *(topics.ingest(a) for a in (school, social, police)),
                *(topics.view(a) for a in (school, social, police)),
                names.audit,
                names.agreements,
                names.alerts,
                directives_topic,
            ],
        )
        source = InMemorySchemaSource()
        codec = AvroCodec(source)
        producer = build_producer(bus_settings)
        await producer.start()
        for agreement in _agreements(school, social, police):
            await producer.send_and_wait(
                names.agreements,
                codec.encode("SharingAgreementPublished", agreement_record(agreement)),
                key=agreement.id.encode(),
            )

        child, other = (
            f"cr1_{suffix}aaaaaaaaaaaaaaaaaaaaaaaa",
            f"cr1_{suffix}bbbbbbbbbbbbbbbbbbbbbbbb",
        )
        sent: dict[str, str] = {}

        async def publish(label: str, agency: str, event_type: str, who: str = child, **fields):
            event = sample_event(event_type, child_ref=who, **fields)
            event["source"] = {**event["source"], "agency": agency}
            sent[label] = str(event["event_id"])
            await producer.send_and_wait(
                topics.ingest(agency), codec.encode(event_type, event), key=who.encode()
            )

        app_id = unique_name("router")
        await ensure_topics(bus_settings, [f"{app_id}-children"])  # no topic is auto-created
        changelog = build_consumer(bus_settings, f"{app_id}-children", group_id=None)
        await changelog.start()

        async def direct(kind: str) -> None:
            """Record a directive, then wait until the router's child table holds it."""
            directive = _directive(child, kind, datetime.now(UTC) - timedelta(seconds=1))
            await producer.send_and_wait(
                directives_topic,
                codec.encode("ConsentDirectiveRecorded", directive_record(directive)),
                key=directive_key(directive),
                partition=partition_for(child, 3),
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                batch = await changelog.getmany(timeout_ms=200)
                if any(
                    f'"kind":"{kind}"'.encode() in r.value.replace(b" ", b"")
                    for rs in batch.values()
                    for r in rs
                ):
                    return
            raise AssertionError(f"the router did not apply the {kind} directive")

        audit_feed = build_consumer(bus_settings, names.audit, group_id=None)
        await audit_feed.start()
        audited: list[dict] = []

        async def until_audited(count: int) -> None:
            """Agencies publish to their own topics: wait for the router before the next step."""
            deadline = time.monotonic() + 30
            while len(audited) < count and time.monotonic() < deadline:
                for records in (await audit_feed.getmany(timeout_ms=200)).values():
                    audited.extend(codec.decode(r.value) for r in records)
            assert len(audited) >= count, f"router audited {len(audited)} of {count}"

        router = build_router(bus_settings, source, agencies, app_id=app_id, router_topics=names)
        running = asyncio.create_task(router.run())
        try:
            await publish("joined", school, "PupilJoinedRoll", school=school)
            await publish(
                "mark-before-plan", school, "AttendanceMarked", school=school, register_code="N"
            )
            await until_audited(1)
            await publish("plan", social, "ChildProtectionPlanStarted")
            await until_audited(2)
            await publish(
                "mark-on-plan", school, "AttendanceMarked", school=school, register_code="N"
            )
            await publish("encompass", police, "DomesticAbuseIncidentNotified", school=school)
            await publish(
                "encompass-other", police, "DomesticAbuseIncidentNotified", who=other, school=school
            )
            await until_audited(4)
            await direct("given")
            await publish("concern-consented", school, "ConcernRaised")
            await until_audited(5)
            await direct("withdrawn")
            await publish("concern-withdrawn", school, "ConcernRaised")
            await until_audited(6)
            social_view = await _read_all(bus_settings, topics.view(social), codec, 2)
            school_view = await _read_all(bus_settings, topics.view(school), codec, 2)
            police_view = await _read_all(bus_settings, topics.view(police), codec, 0, 2)
            audit = await _read_all(bus_settings, names.audit, codec, 6)
        finally:
            router.stopping.set()
            await asyncio.wait_for(running, 30)
            await audit_feed.stop()
            await changelog.stop()
            await producer.stop()

        assert sorted(str(v["event_id"]) for v in social_view) == sorted(
            [sent["mark-on-plan"], sent["concern-consented"]]
        )
        assert sorted(str(v["event_id"]) for v in school_view) == sorted(
            [sent["plan"], sent["encompass"]]
        )
        assert police_view == []
        notified = next(
            v for v in school_view if v["event_type"] == "DomesticAbuseIncidentNotified"
        )
        assert set(json.loads(notified["fields"])) == {
            "incident_at",
            "child_present",
            "circumstances",
            "school",
        }
        assert notified["legal_basis"] == "safeguarding-special-category"
        mark = next(v for v in social_view if v["event_type"] == "AttendanceMarked")
        assert json.loads(mark["fields"])["register_code"] == "N"

        decisions = {(str(a["subject_event_id"]), a["recipient"]): a for a in audit}
        assert len(audit) == len(decisions) == 6
        expected = {
            (sent["plan"], school): "permit",
            (sent["mark-before-plan"], social): "deny",
            (sent["mark-on-plan"], social): "permit",
            (sent["encompass"], school): "permit",
            (sent["concern-consented"], social): "permit",
            (sent["concern-withdrawn"], social): "deny",
        }
        assert {k: a["decision"] for k, a in decisions.items()} == expected
        assert decisions[(sent["concern-withdrawn"], social)]["reason"].startswith(
            "consent-withdrawn"
        )

        await self._verify_and_tamper(bus_settings, codec, names.audit)

    async def _verify_and_tamper(self, settings, codec, audit_topic) -> None:
        intact = await verify_audit(settings, codec, audit_topic)
        assert intact.intact, intact.breaks
        assert intact.records == 6
        longest = max(
            [records async for _, records in read_partitions(settings, codec, audit_topic)], key=len
        )
        records = [dict(record) for _, record in longest]
        records[0]["decision"] = "permit" if records[0]["decision"] == "deny" else "deny"
        tampered = f"{audit_topic}-tampered"
        await ensure_topics(settings, [tampered])
        producer = build_producer(settings)
        await producer.start()
        try:
            for record in records:
                await producer.send_and_wait(
                    tampered, codec.encode("DisclosureDecided", record), partition=0
                )
        finally:
            await producer.stop()
        report = await verify_audit(settings, codec, tampered)
        assert not report.intact
        assert report.breaks[0].offset == 0
        assert report.breaks[0].problem.startswith("content does not match its hash")
