"""Event ids are an agency's own: another agency cannot suppress an event by reusing its id."""

from datetime import UTC, datetime, timedelta

import pytest
from fakes.child_refs import child_ref
from gateway_rig import attendance, start_gateway, write_publishers

from services.gateway.bootstrap import GatewayOptions
from services.sdk.attendance_csv import read_register
from services.sdk.importing import AttendanceImporter
from services.sdk.sinks import GatewaySink

pytestmark = pytest.mark.integration

YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date()


@pytest.fixture
async def schools(bus_settings, schema_source, tmp_path, unique_name):
    """A gateway whose publishers are two schools: `agency` (school A) and `other` (school B)."""
    school_a, school_b = unique_name("school-a"), unique_name("school-b")
    publishers = tmp_path / "publishers.yaml"
    write_publishers(publishers, school_a, school_b)
    options = GatewayOptions(publishers_file=publishers, links_topic=unique_name("identity.links"))
    rig, lifespan = await start_gateway(bus_settings, schema_source, options, school_a, school_b)
    try:
        yield rig
    finally:
        await rig.client.aclose()
        await lifespan.__aexit__(None, None, None)


async def _post(gateway, agency, events):
    return await gateway.client.post("/v1/events", json=events, headers=gateway.auth(agency))


class TestEventIdsPerAgency:
    async def test_another_agencys_id_does_not_suppress_an_event(self, schools):
        """School B posts id X first; school A's own event X is stored, not called a duplicate."""
        from_b = attendance(schools.other)
        from_a = attendance(schools.agency, event_id=from_b["event_id"])
        first = await _post(schools, schools.other, from_b)
        second = await _post(schools, schools.agency, from_a)
        assert first.status_code == 202, first.text
        assert second.status_code == 202, second.text
        assert second.json()["accepted"] == 1
        assert second.json()["events"][0]["duplicate"] is False
        stored = await schools.events(f"ingest.{schools.agency}")
        assert [str(event["event_id"]) for event in stored] == [from_a["event_id"]]

    async def test_same_id_with_another_body_is_a_conflict(self, schools):
        """An agency reusing its own id for a different event gets 409 naming the id."""
        event = attendance(schools.agency, register_code="N")
        changed = {**event, "register_code": "L"}
        await _post(schools, schools.agency, event)
        response = await _post(schools, schools.agency, changed)
        assert response.status_code == 409, response.text
        assert event["event_id"] in response.json()["error"]
        assert "different body" in response.json()["error"]
        assert [p["field"] for p in response.json()["problems"]] == ["event_id"]
        assert len(await schools.records(schools.topic)) == 1

    async def test_same_id_twice_in_one_batch_with_other_bodies_is_a_conflict(self, schools):
        """Two different events under one id in one batch: 409, nothing of the batch stored."""
        event = attendance(schools.agency, register_code="N")
        batch = [attendance(schools.agency), event, {**event, "register_code": "L"}]
        response = await _post(schools, schools.agency, batch)
        assert response.status_code == 409, response.text
        assert response.json()["problems"][0]["index"] == 2
        assert await schools.records(schools.topic) == []

    async def test_identical_resend_stays_a_duplicate(self, schools):
        """The same event sent again is an idempotent 202 `duplicate`, stored once."""
        event = attendance(schools.agency)
        await _post(schools, schools.agency, event)
        again = await _post(schools, schools.agency, event)
        assert again.status_code == 202, again.text
        assert again.json()["duplicates"] == 1
        assert len(await schools.records(schools.topic)) == 1


class TestImportedMarks:
    async def test_reimporting_a_file_later_is_a_duplicate_not_a_conflict(self, schools):
        """Imported marks are the same body each time, so a re-import stores nothing new."""
        pupil = child_ref("reimported pupil")
        text = f"child_ref,date,session,code\n{pupil},{YESTERDAY.isoformat()},PM,L\n"
        sink = GatewaySink(schools.client, f"dev-token-{schools.agency}")
        for _ in range(2):
            _, rows = read_register(text.splitlines())
            summary = await AttendanceImporter(schools.agency, sink, None).run(rows)
            assert (summary.accepted, summary.rejected) == (1, [])
        assert len(await schools.records(schools.topic)) == 1
