"""The consent service on the real broker: publish, restart, rebuild; audit read back.

The service runs in this process (its lifespan started by hand) with topics
unique to the test and one InMemorySchemaSource shared with the test's codec.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from consent_running import (
    AUDITOR,
    OFFICER,
    RunningService,
    new_child_ref,
    read_topic,
    topics_for,
)

from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.audit.chain import GENESIS, seal_encoded
from services.audit.index_writer import IndexTopics
from services.audit.indexer import AuditIndexer, IndexerOptions
from services.bus.kafka import build_producer, ensure_topics
from services.router.domain.routing import audit_record

pytestmark = pytest.mark.integration

AGREEMENT = {
    "id": "isa-attendance",
    "title": "Attendance to the LA attendance service",
    "provider": {"kind": "school"},
    "recipient": {"agency": "la-education"},
    "event_types": ["AttendanceMarked"],
    "data_classes": ["operational"],
    "purpose": "attendance-support",
    "legal_basis": "public-task-ca2004-s16la",
    "valid_from": "2025-09-01T00:00:00Z",
}
DIRECTIVE = {
    "id": "dir-1",
    "kind": "withdrawn",
    "purpose": "early-help",
    "period": {"start": "2025-09-01T00:00:00Z"},
    "recorded_by": {"role": "social-worker", "agency": "la-social-care"},
}


class TestConsentServiceOnKafka:
    async def test_changes_are_published_and_a_restart_rebuilds_the_same_state(
        self, bus_settings, unique_name
    ):
        """Create, version, retire, record a directive; a new instance serves the same state."""
        names = topics_for(unique_name)
        source = InMemorySchemaSource()
        child = new_child_ref()
        async with RunningService(bus_settings, source, names) as http:
            assert (
                await http.post("/v1/agreements", json=AGREEMENT, headers=OFFICER)
            ).status_code == 201
            second = {**{k: v for k, v in AGREEMENT.items() if k != "id"}, "title": "v2"}
            assert (
                await http.put("/v1/agreements/isa-attendance", json=second, headers=OFFICER)
            ).json()["version"] == 2
            other = {**AGREEMENT, "id": "isa-retired"}
            await http.post("/v1/agreements", json=other, headers=OFFICER)
            await http.post("/v1/agreements/isa-retired/retire", headers=OFFICER)
            made = await http.post(
                f"/v1/children/{child}/directives", json=DIRECTIVE, headers=OFFICER
            )
            assert made.status_code == 201
            before = (await http.get("/v1/agreements", headers=OFFICER)).json()
            directives_before = (
                await http.get(f"/v1/children/{child}/directives", headers=OFFICER)
            ).json()

        async with RunningService(bus_settings, source, names) as http:
            after = (await http.get("/v1/agreements", headers=OFFICER)).json()
            directives_after = (
                await http.get(f"/v1/children/{child}/directives", headers=OFFICER)
            ).json()
            again = await http.post(
                f"/v1/children/{child}/directives", json=DIRECTIVE, headers=OFFICER
            )
        assert after == before
        assert [(a["id"], a["version"], a["status"]) for a in after] == [
            ("isa-attendance", 2, "active"),
            ("isa-retired", 2, "retired"),
        ]
        assert directives_after == directives_before
        assert again.json()["version"] == 2

        codec = AvroCodec(source)
        agreements = await read_topic(bus_settings, names.agreements, codec)
        assert [(k, r["version"]) for k, _, r in agreements if k == b"isa-attendance"] == [
            (b"isa-attendance", 1),
            (b"isa-attendance", 2),
        ]
        assert all(r["event_type"] == "SharingAgreementPublished" for _, _, r in agreements)
        directives = await read_topic(bus_settings, names.directives, codec)
        assert [(k, r["directive"], r["version"]) for k, _, r in directives] == [
            (f"{child}/dir-1".encode(), "consent_withdrawn", 1),
            (f"{child}/dir-1".encode(), "consent_withdrawn", 2),
        ]
        assert json.loads(directives[0][2]["payload"])["child_ref"] == child

    async def test_audit_search_and_verify_read_what_a_router_wrote(
        self, bus_settings, unique_name, audit_database
    ):
        """Sealed DisclosureDecided records, indexed by the audit indexer, are found by child
        and recipient; the chains on the topic verify."""
        names = topics_for(unique_name)
        await ensure_topics(bus_settings, [names.audit, names.reviews])
        source = InMemorySchemaSource()
        codec = AvroCodec(source)
        producer = build_producer(bus_settings)
        await producer.start()
        child, other = new_child_ref(), new_child_ref()
        decided = datetime.now(UTC).replace(microsecond=0)
        permit = {
            "decision": "permit",
            "fields": frozenset({"event_id", "school"}),
            "agreement_id": "isa-attendance",
            "agreement_version": 1,
            "legal_basis": "public-task-ca2004-s16la",
            "purpose": "attendance-support",
            "override": False,
        }
        try:
            prev = GENESIS
            for who, recipient in (
                (child, "la-education"),
                (other, "la-education"),
                (child, "police-west"),
            ):
                event = sample_event("AttendanceMarked", child_ref=who)
                from consent.domain import Deny, Permit  # noqa: PLC0415 - test-local builders

                decision = (
                    Permit(**permit)
                    if recipient == "la-education"
                    else Deny(reason="no-agreement", detail="no agreement")
                )
                record = audit_record(event, recipient, decision, decided, "p1")
                record["prev_hash"], record["hash"] = prev, ""
                sealed, prev = seal_encoded(codec.encode("DisclosureDecided", record))
                await producer.send_and_wait(
                    names.audit,
                    sealed,
                    key=who.encode(),
                    partition=0,
                )
        finally:
            await producer.stop()
        indexed = AuditIndexer(
            bus_settings,
            audit_database,
            codec,
            IndexerOptions(
                group_id=unique_name("indexer"),
                names=IndexTopics(decisions=names.audit, reviews=names.reviews),
            ),
        )
        assert (await asyncio.to_thread(indexed.run, until_caught_up=True)).decisions == 3

        async with RunningService(bus_settings, source, names) as http:
            by_child = (await http.get(f"/v1/audit?child_ref={child}", headers=AUDITOR)).json()
            by_recipient = (
                await http.get("/v1/audit?recipient=la-education", headers=AUDITOR)
            ).json()
            csv = await http.get(f"/v1/audit?child_ref={child}&format=csv", headers=AUDITOR)
            verified = (await http.get("/v1/audit/verify", headers=AUDITOR)).json()
        assert [(d["recipient"], d["decision"]) for d in by_child["decisions"]] == [
            ("la-education", "permit"),
            ("police-west", "deny"),
        ]
        assert by_child["decisions"][0]["fields"] == ["event_id", "school"]
        assert {d["child_ref"] for d in by_recipient["decisions"]} == {child, other}
        assert len(csv.text.strip().splitlines()) == 3
        assert verified["intact"]
        assert verified["records"] == 3
