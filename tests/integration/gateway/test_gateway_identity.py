import httpx
import pytest
from gateway_rig import NHS_NUMBER, UPN, start_gateway

from services.sdk.exceptions import IdentityLookupError
from services.sdk.identity import IdentityClient

pytestmark = pytest.mark.integration


async def _resolve(gateway, body):
    response = await gateway.client.post("/v1/identity/resolve", json=body, headers=gateway.auth())
    assert response.status_code == 200, response.text
    return response.json()["child_ref"]


class TestIdentityLinks:
    async def test_restarted_gateway_rebuilds_links_from_the_topic(
        self, gateway, bus_settings, schema_source
    ):
        """A UPN linked to an NHS number resolves to the NHS number's child_ref after a restart."""
        by_nhs = await _resolve(gateway, {"kind": "nhs_number", "value": NHS_NUMBER})
        linked = await _resolve(
            gateway,
            {
                "identifiers": [
                    {"kind": "upn", "value": UPN},
                    {"kind": "nhs_number", "value": NHS_NUMBER},
                ]
            },
        )
        assert linked == by_nhs
        again, lifespan = await start_gateway(
            bus_settings, schema_source, gateway.options, gateway.agency, gateway.other
        )
        try:
            assert await _resolve(again, {"kind": "upn", "value": UPN}) == by_nhs
        finally:
            await again.client.aclose()
            await lifespan.__aexit__(None, None, None)

    async def test_links_topic_is_keyed_by_hash_not_identifier(self, gateway):
        """identity.links keys are keyed hashes; the raw UPN appears only in the link's body."""
        await _resolve(gateway, {"kind": "upn", "value": UPN})
        [record] = await gateway.records(gateway.links_topic)
        assert UPN.encode() not in record.key
        assert gateway.codec.decode(record.value)["identifier_value"] == UPN


class TestIdentityClient:
    async def test_caches_answers(self, gateway):
        """The SDK asks the gateway once per identifier and gets the same child_ref."""
        client = IdentityClient(
            "http://gateway",
            f"dev-token-{gateway.agency}",
            agency=gateway.agency,
            client=gateway.client,
        )
        first = await client.child_ref("upn", UPN.lower())
        second = await client.child_ref("upn", UPN)
        assert first == second == await _resolve(gateway, {"kind": "upn", "value": UPN})
        assert client.lookups == 1

    async def test_invalid_identifier_fails_locally(self, gateway):
        """A malformed NHS number is refused before any request, naming the rule."""
        client = IdentityClient(
            "http://gateway", "dev-token-x", agency=gateway.agency, client=gateway.client
        )
        with pytest.raises(IdentityLookupError, match="check digit"):
            await client.child_ref("nhs_number", "943 476 5918")
        assert client.lookups == 0

    async def test_wrong_token_is_reported(self, gateway):
        """A token the gateway does not know is a clear error."""
        client = IdentityClient(
            "http://gateway", "dev-token-nobody", agency=gateway.agency, client=gateway.client
        )
        with pytest.raises(Exception, match="401"):
            await client.child_ref("upn", UPN)
        assert isinstance(client._client, httpx.AsyncClient)
