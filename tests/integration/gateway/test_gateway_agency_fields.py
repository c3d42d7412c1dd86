"""Fields naming an agency are checked: the publisher's own, or an agency the bus knows."""

import pytest
from fakes.agency_json import incident_json
from gateway_rig import attendance

pytestmark = pytest.mark.integration


async def _post(gateway, agency, event):
    return await gateway.client.post("/v1/events", json=event, headers=gateway.auth(agency))


class TestPublisherFields:
    async def test_a_school_cannot_mark_another_schools_register(self, gateway):
        """AttendanceMarked.school naming another school is a 403 naming the field."""
        event = attendance(gateway.agency, school="school-100002")
        response = await _post(gateway, gateway.agency, event)
        assert response.status_code == 403, response.text
        assert "school" in response.json()["error"]
        assert "publishing agency" in response.json()["error"]
        assert await gateway.records(gateway.topic) == []

    async def test_its_own_register_is_accepted(self, gateway):
        """AttendanceMarked.school naming the publisher itself is accepted."""
        response = await _post(gateway, gateway.agency, attendance(gateway.agency))
        assert response.status_code == 202, response.text


class TestOtherAgencyFields:
    async def test_an_agency_unknown_to_the_directory_is_422(self, gateway):
        """A police notification for a school the bus does not know: 422 naming `school`."""
        event = incident_json(gateway.other, school="school-999999")
        response = await _post(gateway, gateway.other, event)
        assert response.status_code == 422, response.text
        [problem] = response.json()["problems"]
        assert problem["field"] == "school"
        assert "agency directory" in problem["rule"]
        assert await gateway.records(f"ingest.{gateway.other}") == []

    @pytest.mark.parametrize("school", ["school-100001", None])
    async def test_a_known_school_is_accepted(self, gateway, school):
        """A school in the agency directory (or none, when unknown) is accepted."""
        response = await _post(gateway, gateway.other, incident_json(gateway.other, school=school))
        assert response.status_code == 202, response.text

    async def test_a_publisher_of_this_gateway_is_a_known_agency(self, gateway):
        """An agency that publishes through this gateway is known, listed or not."""
        event = incident_json(gateway.other, school=gateway.agency)
        response = await _post(gateway, gateway.other, event)
        assert response.status_code == 202, response.text
