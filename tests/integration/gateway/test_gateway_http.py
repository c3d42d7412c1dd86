import json
from datetime import UTC, datetime, timedelta

import pytest
from gateway_rig import MAX_BODY, NHS_NUMBER, UPN, attendance

pytestmark = pytest.mark.integration

TOMORROW = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()


class TestPostEvents:
    async def test_accepts_a_json_array(self, gateway):
        """A JSON array of valid events is accepted and every event is on ingest.<agency>."""
        batch = [attendance(gateway.agency) for _ in range(3)]
        response = await gateway.client.post("/v1/events", json=batch, headers=gateway.auth())
        assert response.status_code == 202, response.text
        assert response.json()["accepted"] == 3
        stored = {str(event["event_id"]) for event in await gateway.events()}
        assert stored == {event["event_id"] for event in batch}

    async def test_accepts_ndjson(self, gateway):
        """NDJSON (one event per line) is accepted in order."""
        batch = [attendance(gateway.agency, session=s) for s in ("AM", "PM")]
        body = "\n".join(json.dumps(event) for event in batch) + "\n"
        headers = {**gateway.auth(), "Content-Type": "application/x-ndjson"}
        response = await gateway.client.post("/v1/events", content=body, headers=headers)
        assert response.status_code == 202, response.text
        assert [e["event_id"] for e in response.json()["events"]] == [e["event_id"] for e in batch]
        assert len(await gateway.events()) == 2

    async def test_same_event_twice_is_stored_once(self, gateway):
        """Posting an event again answers `duplicate` and the topic holds one copy."""
        event = attendance(gateway.agency)
        first = await gateway.client.post("/v1/events", json=event, headers=gateway.auth())
        again = await gateway.client.post("/v1/events", json=[event, event], headers=gateway.auth())
        assert first.json()["accepted"] == 1
        assert again.json() | {"events": None} == {"accepted": 0, "duplicates": 2, "events": None}
        assert len(await gateway.records(gateway.topic)) == 1

    async def test_a_bad_event_rejects_the_whole_batch(self, gateway):
        """One bad event in a batch: 422 naming its index, and nothing is published."""
        batch = [attendance(gateway.agency), attendance(gateway.agency, register_code="ZZ")]
        response = await gateway.client.post("/v1/events", json=batch, headers=gateway.auth())
        assert response.status_code == 422
        assert [p["index"] for p in response.json()["problems"]] == [1]
        assert await gateway.records(gateway.topic) == []


BAD_EVENTS = [
    ("wrong type", {"minutes_late": "ten"}, "minutes_late", "valid integer"),
    ("unknown event type", {"event_type": "PupilTeleported"}, "event_type", "not an event type"),
    ("unknown code", {"register_code": "ZZ"}, "register_code", "code list"),
    ("future date", {"session_date": TOMORROW}, "session_date", "future"),
    ("unknown field", {"shoe_size": 4}, "shoe_size", "Extra inputs"),
    (
        "invalid NHS number",
        {"child_ref": ..., "identifier": {"kind": "nhs_number", "value": "943 476 5918"}},
        "identifier.nhs_number",
        "check digit",
    ),
    (
        "invalid UPN",
        {"child_ref": ..., "identifier": {"kind": "upn", "value": "B123456789012"}},
        "identifier.upn",
        "check letter",
    ),
]


class TestRejections:
    @pytest.mark.parametrize(("case", "change", "field", "rule"), BAD_EVENTS)
    async def test_bad_event_is_422_with_field_and_rule(self, gateway, case, change, field, rule):
        """Each contract breach is a 422 naming the field and the rule."""
        event = attendance(gateway.agency, **change)
        response = await gateway.client.post("/v1/events", json=[event], headers=gateway.auth())
        assert response.status_code == 422, case
        [problem] = response.json()["problems"]
        assert problem["index"] == 0
        assert problem["field"] == field
        assert rule in problem["rule"], problem

    async def test_malformed_json_is_400(self, gateway):
        """A body that is not JSON is a 400 saying where it breaks."""
        response = await gateway.client.post(
            "/v1/events", content=b'{"event_type": ', headers=gateway.auth()
        )
        assert response.status_code == 400
        assert "not valid JSON" in response.json()["error"]

    async def test_empty_body_is_400(self, gateway):
        """An empty body is a 400."""
        response = await gateway.client.post("/v1/events", content=b"", headers=gateway.auth())
        assert response.status_code == 400
        assert "empty" in response.json()["error"]

    async def test_oversize_body_is_413(self, gateway):
        """A body over the limit is a 413 and nothing is published."""
        batch = [attendance(gateway.agency) for _ in range(MAX_BODY // 300 + 10)]
        response = await gateway.client.post("/v1/events", json=batch, headers=gateway.auth())
        assert response.status_code == 413
        assert "limit" in response.json()["error"]
        assert await gateway.records(gateway.topic) == []

    async def test_other_agency_is_403(self, gateway):
        """An event claiming another agency as its source is a 403."""
        event = attendance(gateway.other)
        response = await gateway.client.post("/v1/events", json=event, headers=gateway.auth())
        assert response.status_code == 403
        assert "source.agency" in response.json()["error"]

    async def test_missing_token_is_401(self, gateway):
        """No bearer token is a 401 with a WWW-Authenticate challenge."""
        response = await gateway.client.post("/v1/events", json=attendance(gateway.agency))
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "bearer token is required" in response.json()["error"]

    async def test_bad_token_is_401(self, gateway):
        """An unknown bearer token is a 401."""
        headers = {"Authorization": "Bearer not-a-token"}
        response = await gateway.client.post(
            "/v1/events", json=attendance(gateway.agency), headers=headers
        )
        assert response.status_code == 401
        assert "not valid" in response.json()["error"]


class TestIdentityAtIngest:
    async def test_identifier_is_resolved_and_stripped(self, gateway):
        """An event sent with an identifier lands with its child_ref and no raw identifier."""
        event = attendance(
            gateway.agency, child_ref=..., identifier={"kind": "nhs_number", "value": NHS_NUMBER}
        )
        response = await gateway.client.post("/v1/events", json=event, headers=gateway.auth())
        assert response.status_code == 202, response.text
        resolved = await gateway.client.post(
            "/v1/identity/resolve",
            json={"kind": "nhs_number", "value": NHS_NUMBER},
            headers=gateway.auth(),
        )
        [record] = await gateway.records(gateway.topic)
        assert gateway.codec.decode(record.value)["child_ref"] == resolved.json()["child_ref"]
        assert NHS_NUMBER.replace(" ", "").encode() not in record.value
        links = await gateway.events(gateway.links_topic)
        assert [link["identifier_kind"] for link in links] == ["nhs_number"]

    async def test_resolve_rejects_an_invalid_identifier(self, gateway):
        """The resolve endpoint answers 422 with the field and the rule, never the value."""
        response = await gateway.client.post(
            "/v1/identity/resolve",
            json={"kind": "upn", "value": "B123456789012"},
            headers=gateway.auth(),
        )
        assert response.status_code == 422
        assert response.json()["problems"][0]["field"] == "identifier.upn"
        assert "B123456789012" not in response.text

    async def test_resolve_needs_a_token(self, gateway):
        """Resolving identifiers is for authenticated publishers only."""
        response = await gateway.client.post(
            "/v1/identity/resolve", json={"kind": "upn", "value": UPN}
        )
        assert response.status_code == 401
