"""Review of safeguarding overrides on a real PostgreSQL and broker: the queue, a review
published to audit.reviews and read back, refusals, and a bus that does not take it."""

import uuid
from datetime import datetime

import pytest
from audit_queries_rig import bearer
from rigs.audit_rows import as_audit_row, in_key_order, insert_rows, made_up_rows

from schemas.codec import AvroCodec
from services.audit.index import AuditIndex
from services.audit.index_pool import index_pool
from services.bus.kafka import build_consumer, build_producer
from services.consent.adapters.review_publisher import KafkaReviewPublisher
from services.consent.exceptions import UnavailableError
from services.consent.reviews import RecordReview, record_review

pytestmark = pytest.mark.integration

AGREEMENT = {
    "id": "isa-0",
    "title": "Attendance to the LA attendance service",
    "provider": {"kind": "school"},
    "recipient": {"agency": "la-education"},
    "event_types": ["AttendanceMarked"],
    "data_classes": ["operational"],
    "purpose": "attendance-support",
    "legal_basis": "public-task-ca2004-s16la",
    "valid_from": "2025-09-01T00:00:00Z",
}


async def read_reviews(settings, topic: str, codec: AvroCodec) -> list[tuple[bytes, dict]]:
    """Every record of the reviews topic, decoded, with its key."""
    consumer = build_consumer(settings, topic, group_id=None)
    await consumer.start()
    found = []
    try:
        for _ in range(6):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found.extend((r.key, codec.decode(r.value)) for r in records)
    finally:
        await consumer.stop()
    return found


def overrides_of(made: list[dict]) -> list[dict]:
    """The made-up rows' overrides as the API shows them, oldest first."""
    return in_key_order([as_audit_row(r) for r in made if r["override"]])


class TestOverrideQueue:
    async def test_a_review_is_published_and_leaves_the_queue(
        self, consent_on_index, audit_db_url, bus_settings, topic_names, schema_source
    ):
        """The queue lists overrides oldest first with their agreement; a review is an
        OverrideReviewed event on audit.reviews, then the decision leaves the queue and the
        unreviewed count drops by one."""
        made = made_up_rows(11, 400)
        insert_rows(audit_db_url, made)
        expected = overrides_of(made)
        async with consent_on_index() as http:
            created = await http.post("/v1/agreements", json=AGREEMENT, headers=bearer("officer"))
            assert created.status_code == 201, created.text
            queue = (await http.get("/v1/audit/overrides", headers=bearer("ig-lead"))).json()
            before = (await http.get("/v1/oversight/summary", headers=bearer("ig-lead"))).json()
            first = queue["overrides"][0]
            answer = await http.post(
                f"/v1/audit/overrides/{first['partition']}/{first['offset']}/reviews",
                json={"outcome": "escalate", "note": "refer to the DSL: no record of risk"},
                headers=bearer("ig-lead"),
            )
            after = (await http.get("/v1/audit/overrides", headers=bearer("ig-lead"))).json()
            reviewed = await http.get(
                "/v1/audit/overrides", params={"state": "reviewed"}, headers=bearer("auditor")
            )
            counted = (await http.get("/v1/oversight/summary", headers=bearer("auditor"))).json()
        assert [(o["partition"], o["offset"]) for o in queue["overrides"]] == [
            (o["partition"], o["offset"]) for o in expected[:100]
        ]
        with_agreement = [o for o in queue["overrides"] if o["agreement_id"] == "isa-0"]
        assert with_agreement
        assert all(o["agreement"]["title"] == AGREEMENT["title"] for o in with_agreement)
        assert answer.status_code == 201, answer.text
        review = answer.json()
        assert (review["outcome"], review["reviewer"]) == ("escalate", "ig-lead")
        assert (first["partition"], first["offset"]) not in [
            (o["partition"], o["offset"]) for o in after["overrides"]
        ]
        assert [o["reviews"][0]["review_id"] for o in reviewed.json()["overrides"]] == [
            review["review_id"]
        ]
        assert (
            counted["unreviewed_overrides"]
            == before["unreviewed_overrides"] - 1
            == (len(expected) - 1)
        )
        events = await read_reviews(bus_settings, topic_names.reviews, AvroCodec(schema_source))
        assert len(events) == 1
        key, event = events[0]
        assert key == first["child_ref"].encode()
        assert event["event_type"] == "OverrideReviewed"
        assert str(event["review_id"]) == str(event["event_id"]) == review["review_id"]
        assert (event["decision_partition"], event["decision_offset"]) == (
            first["partition"],
            first["offset"],
        )
        assert event["decided_at"] == datetime.fromisoformat(first["recorded_at"])
        assert (event["outcome"], event["reviewer"]) == ("escalate", "ig-lead")
        assert event["note"] == "refer to the DSL: no record of risk"

    async def test_a_retried_review_is_one_row(self, consent_on_index, audit_db_url):
        """The same review_id sent twice records one review (the second is a replay)."""
        made = made_up_rows(12, 300)
        insert_rows(audit_db_url, made)
        target = overrides_of(made)[0]
        body = {"outcome": "upheld", "note": "justified", "review_id": str(uuid.uuid4())}
        path = f"/v1/audit/overrides/{target['partition']}/{target['offset']}/reviews"
        async with consent_on_index() as http:
            one = await http.post(path, json=body, headers=bearer("ig-lead"))
            two = await http.post(path, json=body, headers=bearer("ig-lead"))
            reviewed = await http.get(
                "/v1/audit/overrides", params={"state": "all"}, headers=bearer("ig-lead")
            )
        assert (one.status_code, two.status_code) == (201, 201)
        found = [o for o in reviewed.json()["overrides"] if o["offset"] == target["offset"]]
        assert [len(o["reviews"]) for o in found if o["partition"] == target["partition"]] == [1]


class TestRefusals:
    async def test_only_existing_overrides_are_reviewed(self, consent_on_index, audit_db_url):
        """A decision that is no override is a 422 naming decision; none there is a 404."""
        made = made_up_rows(13, 200)
        insert_rows(audit_db_url, made)
        plain = next(as_audit_row(r) for r in made if not r["override"])
        body = {"outcome": "upheld", "note": "justified"}
        async with consent_on_index() as http:
            not_override = await http.post(
                f"/v1/audit/overrides/{plain['partition']}/{plain['offset']}/reviews",
                json={**body, "decided_at": plain["recorded_at"]},
                headers=bearer("ig-lead"),
            )
            unknown = await http.post(
                f"/v1/audit/overrides/{plain['partition']}/{plain['offset']}/reviews",
                json=body,
                headers=bearer("ig-lead"),
            )
            missing = await http.post(
                "/v1/audit/overrides/0/999999/reviews", json=body, headers=bearer("ig-lead")
            )
        assert (not_override.status_code, not_override.json()["field"]) == (422, "decision")
        assert (unknown.status_code, unknown.json()["field"]) == (404, "offset")
        assert (missing.status_code, missing.json()["field"]) == (404, "offset")

    async def test_roles_of_the_queue_and_of_reviews(self, consent_on_index, audit_db_url):
        """No token 401; an officer sees no queue; an auditor sees it but records no review."""
        made = made_up_rows(14, 200)
        insert_rows(audit_db_url, made)
        target = overrides_of(made)[0]
        path = f"/v1/audit/overrides/{target['partition']}/{target['offset']}/reviews"
        body = {"outcome": "upheld", "note": "justified"}
        async with consent_on_index() as http:
            statuses = [
                (await http.get("/v1/audit/overrides")).status_code,
                (await http.get("/v1/audit/overrides", headers=bearer("officer"))).status_code,
                (await http.get("/v1/audit/overrides", headers=bearer("auditor"))).status_code,
                (await http.post(path, json=body)).status_code,
                (await http.post(path, json=body, headers=bearer("officer"))).status_code,
                (await http.post(path, json=body, headers=bearer("auditor"))).status_code,
                (await http.post(path, json=body, headers=bearer("ig-lead"))).status_code,
            ]
        assert statuses == [401, 403, 200, 401, 403, 403, 201]

    async def test_a_bus_that_does_not_take_the_review_records_nothing(
        self, audit_db_url, bus_settings, topic_names, schema_source
    ):
        """The producer cannot write: the review is refused (503 with a wait), no row written."""
        made = made_up_rows(15, 200)
        insert_rows(audit_db_url, made)
        target = overrides_of(made)[0]
        pool = index_pool(audit_db_url)
        await pool.open(wait=True)
        producer = build_producer(bus_settings)
        await producer.start()
        await producer.stop()  # a producer that no longer writes (ProducerClosed)
        publisher = KafkaReviewPublisher(
            producer,
            AvroCodec(schema_source),
            topic_names.reviews,
            timeout_s=5,
            retry_after_s=7,
        )
        index = AuditIndex.on(pool)
        try:
            with pytest.raises(UnavailableError) as caught:
                await record_review(
                    index,
                    publisher,
                    (target["partition"], target["offset"]),
                    RecordReview(outcome="upheld", note="justified"),
                    reviewer="ig-lead",
                    now=datetime.fromisoformat(target["recorded_at"]),
                )
            assert (caught.value.status, caught.value.retry_after_s) == (503, 7)
            assert await index.reviews.unreviewed() == len(overrides_of(made))
        finally:
            await pool.close()
