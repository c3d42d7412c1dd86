"""At ingest a child_ref has its one strict form: raw identifiers and formulas are refused."""

import pytest
from fakes.child_refs import child_ref
from gateway_rig import NHS_NUMBER, UPN, attendance

from schemas.child_ref import CHILD_REF_RULE

pytestmark = pytest.mark.integration

NOT_CHILD_REFS = [
    NHS_NUMBER.replace(" ", ""),
    UPN,
    '=HYPERLINK("https://example.org/x","open")',
    "cr1_" + "0189" * 8,
    "cr1_" + "a" * 31,
    "CR1_" + "A" * 32,
]


class TestChildRefAtIngest:
    @pytest.mark.parametrize("value", NOT_CHILD_REFS)
    async def test_anything_but_a_child_ref_is_422(self, gateway, value):
        """A raw identifier, a formula or a near miss is a 422 naming child_ref and the rule."""
        response = await gateway.client.post(
            "/v1/events", json=attendance(gateway.agency, child_ref=value), headers=gateway.auth()
        )
        assert response.status_code == 422, response.text
        [problem] = response.json()["problems"]
        assert (problem["field"], problem["rule"]) == ("child_ref", CHILD_REF_RULE)
        assert value not in response.text
        assert await gateway.records(gateway.topic) == []

    async def test_a_child_ref_is_accepted(self, gateway):
        """A ref of the strict form passes."""
        event = attendance(gateway.agency, child_ref=child_ref("pupil"))
        response = await gateway.client.post("/v1/events", json=event, headers=gateway.auth())
        assert response.status_code == 202, response.text
