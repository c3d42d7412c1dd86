"""The gateway's /metrics after real requests: by status, and the events it wrote by topic."""

from __future__ import annotations

import pytest
from gateway_rig import attendance, start_gateway, write_publishers
from prometheus_client.parser import text_string_to_metric_families

from schemas.schema_source import InMemorySchemaSource
from services.gateway.bootstrap import GatewayOptions

pytestmark = pytest.mark.integration


def figures(page: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a metrics page by (name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }


def requests(found: dict, status: str) -> float:
    """The gateway's POSTs to /v1/events answered `status`."""
    labels = frozenset(
        {"service": "gateway", "method": "POST", "route": "/v1/events", "status": status}.items()
    )
    return found.get(("joinedup_http_requests_total", labels), 0.0)


async def test_requests_by_status_and_events_written_by_topic(bus_settings, unique_name, tmp_path):
    """Two accepted, one invalid, one unauthenticated: the counters move by exactly that."""
    agency = unique_name("school")
    publishers = tmp_path / "publishers.yaml"
    write_publishers(publishers, agency)
    options = GatewayOptions(publishers_file=publishers, links_topic=unique_name("identity.links"))
    gateway, lifespan = await start_gateway(
        bus_settings, InMemorySchemaSource(), options, agency, agency
    )
    try:
        before = figures((await gateway.client.get("/metrics")).text)
        for _ in range(2):
            sent = await gateway.client.post(
                "/v1/events", json=attendance(agency), headers=gateway.auth()
            )
            assert sent.status_code == 202, sent.text
        bad = attendance(agency, register_code="Q?")
        assert (
            await gateway.client.post("/v1/events", json=bad, headers=gateway.auth())
        ).status_code == 422
        assert (await gateway.client.post("/v1/events", json=attendance(agency))).status_code == 401
        after = figures((await gateway.client.get("/metrics")).text)
        ready = await gateway.client.get("/readyz")
    finally:
        await gateway.client.aclose()
        await lifespan.__aexit__(None, None, None)

    moved = {
        status: requests(after, status) - requests(before, status)
        for status in ("202", "422", "401")
    }
    written = frozenset({"app": "joinedup-gateway", "topic": gateway.topic}.items())
    assert moved == {"202": 2, "422": 1, "401": 1}
    assert after[("joinedup_records_produced_total", written)] == 2
    assert (ready.status_code, ready.json()["checks"]) == (200, {"broker": "ok"})
