"""The index answers as the topic does: records sealed onto a real audit topic, indexed by the
audit indexer, searched through the API; a scan of the topic is the brute-force answer."""

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from audit_queries_rig import bearer, every_page
from rigs.audit_rows import child_ref

from consent.domain import Deny, Permit
from schemas.codec import AvroCodec
from services.audit.chain import GENESIS, seal_encoded
from services.audit.index_writer import IndexTopics
from services.audit.indexer import AuditIndexer, IndexerOptions
from services.audit.trail import KafkaAuditTrail
from services.bus import topics
from services.bus.kafka import build_producer, ensure_topics, partitions_of
from services.router.domain.routing import audit_record

pytestmark = pytest.mark.integration

RECIPIENTS = ("la-education", "police-west", "la-social-care", "school-100002")


def decision(rng: random.Random) -> Permit | Deny:
    """A permit (sometimes a safeguarding override) or a deny, at random."""
    if rng.random() < 0.35:
        return Deny(reason=rng.choice(["no-agreement", "consent-withdrawn"]), detail="")
    override = rng.random() < 0.15
    return Permit(
        fields=frozenset(rng.sample(["event_id", "school", "session_date"], 2)),
        agreement_id=f"isa-{rng.randrange(3)}",
        agreement_version=1,
        legal_basis="public-task-ca2004-s16la",
        purpose="attendance-support",
        override=override,
        overridden_directive_id="dir-1" if override else None,
    )


async def write_sealed(settings, topic: str, codec: AvroCodec, count: int) -> None:
    """`count` sealed records, chained per partition, over six months and eight children."""
    rng = random.Random(5)  # noqa: S311 - test data
    numbers = await partitions_of(settings, topic)
    tails = dict.fromkeys(numbers, GENESIS)
    start = datetime(2025, 10, 1, tzinfo=UTC)
    moments = [start + timedelta(minutes=rng.randrange(260_000)) for _ in range(count // 3)]
    producer = build_producer(settings)
    await producer.start()
    try:
        for _ in range(count):
            child = child_ref(rng.randrange(8))
            event = {
                "event_id": uuid.UUID(int=rng.getrandbits(128)),
                "event_type": rng.choice(["AttendanceMarked", "SuspensionIssued"]),
                "child_ref": child,
                "source": {"agency": "school-100001", "system": "mis", "practitioner_role": None},
            }
            record = audit_record(
                event, rng.choice(RECIPIENTS), decision(rng), rng.choice(moments), "p1"
            )
            partition = rng.choice(numbers)
            record["prev_hash"], record["hash"] = tails[partition], ""
            sealed, tails[partition] = seal_encoded(codec.encode("DisclosureDecided", record))
            await producer.send(topic, sealed, key=child.encode(), partition=partition)
        await producer.flush()
    finally:
        await producer.stop()


class TestIndexEqualsTopic:
    async def test_search_and_reports_equal_a_scan_of_the_topic(
        self, consent_on_index, bus_settings, audit_db_url, topic_names, schema_source, unique_name
    ):
        """By child, by recipient, both, and a child's report: the index's answer (every page)
        equals the rows a full read of the topic keeps, field for field, in order."""
        names = [topic_names.audit, topic_names.reviews]
        await ensure_topics(bus_settings, [*names, *(topics.deadletter(n) for n in names)])
        codec = AvroCodec(schema_source)
        await write_sealed(bus_settings, topic_names.audit, codec, 900)
        indexer = AuditIndexer(
            bus_settings,
            audit_db_url,
            codec,
            IndexerOptions(
                group_id=unique_name("indexer"),
                names=IndexTopics(decisions=topic_names.audit, reviews=topic_names.reviews),
            ),
        )
        stats = await asyncio.to_thread(indexer.run, until_caught_up=True)
        assert (stats.decisions, stats.chain_breaks) == (900, 0)
        trail = KafkaAuditTrail(bus_settings, codec, topic_names.audit)
        searches = [
            (child_ref(3), None),
            (child_ref(5), None),
            (None, "police-west"),
            (child_ref(1), "la-education"),
        ]
        async with consent_on_index() as http:
            for child, recipient in searches:
                expected = await trail.search(child, recipient)
                params = {k: v for k, v in (("child_ref", child), ("recipient", recipient)) if v}
                found, _ = await every_page(http, params, 37)
                assert found == expected, params
                assert expected
            report = await http.get(
                f"/v1/audit/children/{child_ref(3)}/report", headers=bearer("auditor")
            )
            legacy = await http.get(
                "/v1/audit", params={"child_ref": child_ref(3)}, headers=bearer("auditor")
            )
        scanned = await trail.search(child_ref(3), None)
        assert [d["subject_event_id"] for d in report.json()["decisions"]] == [
            row["subject_event_id"] for row in scanned
        ]
        assert legacy.json()["decisions"] == scanned
        assert legacy.json()["next_cursor"] is None
