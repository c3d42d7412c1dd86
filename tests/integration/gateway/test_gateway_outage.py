"""Outages: quick 503s with Retry-After, a truthful /readyz, SDK retries, no 202 ever lost.

The broker tests run the gateway against a broker of this module's own
(tests/rigs/own_broker.py), which they stop and start again: the shared broker
is never touched. The registry test stops a registry of its own.
"""

import asyncio
import time

import httpx
import pytest
from fakes.agency_json import incident_json
from gateway_rig import attendance, start_gateway, write_publishers
from rigs.own_broker import secured_broker

from schemas.models.education import AttendanceMarked
from schemas.registry_client import RegistryClient
from schemas.schema_source import InMemorySchemaSource
from services.broker.local import LocalBroker
from services.gateway.adapters.broker_gate import OutageLimits
from services.gateway.bootstrap import GatewayOptions
from services.sdk.retrying import RetrySettings
from services.sdk.sinks import GatewaySink

pytestmark = pytest.mark.integration

LIMITS = OutageLimits(publish_timeout_s=1.0, probe_interval_s=0.2, retry_after_s=1)
QUICK_S = 3.0  # a refusal comes within the publish timeout plus scheduling, never 8 s+
PATIENT = RetrySettings(retry_attempts=200, retry_wait_s=0.2, retry_max_wait_s=1.0)


@pytest.fixture(scope="module")
def own_cluster(tmp_path_factory):
    """A secured broker for this module only, on free ports."""
    with secured_broker(tmp_path_factory.mktemp("outage") / "data") as cluster:
        yield cluster


@pytest.fixture
def own_broker(own_cluster):
    """The module's broker process, to stop and start; it runs again when the test ends."""
    broker = LocalBroker(own_cluster.settings(None))
    yield broker
    broker.start()


@pytest.fixture
async def gateway_on_own_broker(own_cluster, tmp_path, unique_name):
    """A gateway publishing to the module's own broker, with short outage limits."""
    agency = unique_name("school")
    publishers = tmp_path / "publishers.yaml"
    write_publishers(publishers, agency)
    options = GatewayOptions(
        publishers_file=publishers, links_topic=unique_name("identity.links"), outage=LIMITS
    )
    rig, lifespan = await start_gateway(
        own_cluster.settings(), InMemorySchemaSource(), options, agency, agency
    )
    try:
        yield rig
    finally:
        await rig.client.aclose()
        await lifespan.__aexit__(None, None, None)


async def _until(check, timeout_s: float) -> None:
    async with asyncio.timeout(timeout_s):
        while not await check():  # noqa: ASYNC110 - polling the gateway's HTTP answer
            await asyncio.sleep(0.1)


async def _health(gateway) -> int:
    return (await gateway.client.get("/readyz")).status_code


class TestBrokerOutage:
    async def test_an_outage_is_a_quick_503_and_readyz_tells(
        self, own_broker, gateway_on_own_broker
    ):
        """Broker down: /readyz and publishing say 503 (Retry-After) within seconds, /healthz
        stays 200 (alive: nothing to restart); then 202."""
        gateway = gateway_on_own_broker
        before = await gateway.client.post(
            "/v1/events", json=attendance(gateway.agency), headers=gateway.auth()
        )
        assert before.status_code == 202, before.text
        assert await _health(gateway) == 200
        await asyncio.to_thread(own_broker.stop)
        await _until(lambda: _health_is(gateway, 503), 10)
        began = time.monotonic()
        async with asyncio.timeout(QUICK_S * 3):
            during = await gateway.client.post(
                "/v1/events", json=attendance(gateway.agency), headers=gateway.auth()
            )
        assert during.status_code == 503, during.text
        assert time.monotonic() - began < QUICK_S
        assert during.headers["retry-after"] == str(LIMITS.retry_after_s)
        assert "broker" in during.json()["error"]
        assert (await gateway.client.get("/healthz")).status_code == 200
        assert (await gateway.client.get("/readyz")).json()["checks"]["broker"] != "ok"
        await asyncio.to_thread(own_broker.start)
        await _until(lambda: _health_is(gateway, 200), 30)
        after = await gateway.client.post(
            "/v1/events", json=attendance(gateway.agency), headers=gateway.auth()
        )
        assert after.status_code == 202, after.text
        stored = {str(event["event_id"]) for event in await gateway.events()}
        assert {
            before.json()["events"][0]["event_id"],
            after.json()["events"][0]["event_id"],
        } <= stored

    async def test_sdk_rides_out_an_outage_and_every_202_is_stored(
        self, own_broker, gateway_on_own_broker
    ):
        """The SDK retries 503s by its settings; afterwards every acknowledged event is stored."""
        gateway = gateway_on_own_broker
        refusals: list[int] = []

        async def count_refusals(response: httpx.Response) -> None:
            if response.status_code == 503:
                refusals.append(503)

        gateway.client.event_hooks = {"response": [count_refusals]}
        sink = GatewaySink(gateway.client, f"dev-token-{gateway.agency}", PATIENT)
        batches = [
            [AttendanceMarked.model_validate(attendance(gateway.agency)) for _ in range(4)]
            for _ in range(60)
        ]
        acknowledged: set[str] = set()

        async def publish() -> None:
            for batch in batches:
                assert await sink.send(batch) == []
                acknowledged.update(str(event.event_id) for event in batch)
                await asyncio.sleep(0.05)

        publishing = asyncio.create_task(publish())
        await asyncio.sleep(0.5)
        await asyncio.to_thread(own_broker.stop)
        await asyncio.sleep(2)
        await asyncio.to_thread(own_broker.start)
        async with asyncio.timeout(120):
            await publishing
        stored = [str(event["event_id"]) for event in await gateway.events()]
        assert refusals, "the outage was never met: the test proves nothing"
        assert len(acknowledged) == 240
        assert acknowledged <= set(stored)


async def _health_is(gateway, status: int) -> bool:
    return await _health(gateway) == status


class TestRegistryOutage:
    async def test_an_unreachable_registry_is_a_quick_503(
        self, bus_settings, gateway_options, start_registry, unique_name
    ):
        """An event type whose schema id needs the stopped registry: 503 with Retry-After."""
        registry = start_registry(unique_name("_schemas-outage"))
        options = GatewayOptions(
            publishers_file=gateway_options.publishers_file,
            links_topic=gateway_options.links_topic,
            outage=LIMITS,
        )
        school, police = unique_name("school"), unique_name("police")
        gateway, lifespan = await start_gateway(
            bus_settings, RegistryClient(registry.url), options, school, police
        )
        try:
            first = await gateway.client.post(
                "/v1/events", json=attendance(school), headers=gateway.auth()
            )
            assert first.status_code == 202, first.text
            registry.stop()
            began = time.monotonic()
            refused = await gateway.client.post(
                "/v1/events",
                json=incident_json(police, school=school),
                headers=gateway.auth(police),
            )
            assert refused.status_code == 503, refused.text
            assert time.monotonic() - began < QUICK_S
            assert refused.headers["retry-after"] == str(LIMITS.retry_after_s)
            assert "schema registry" in refused.json()["error"]
            again = await gateway.client.post(
                "/v1/events", json=attendance(school), headers=gateway.auth()
            )
            assert again.status_code == 202, again.text
        finally:
            await gateway.client.aclose()
            await lifespan.__aexit__(None, None, None)
