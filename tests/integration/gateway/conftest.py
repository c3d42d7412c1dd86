"""An in-process gateway on the real broker, with its own agencies and links topic per test."""

from __future__ import annotations

import pytest
from gateway_rig import MAX_BODY, start_gateway, write_publishers

from schemas.schema_source import InMemorySchemaSource
from services.gateway.bootstrap import GatewayOptions


@pytest.fixture
def gateway_options(tmp_path, unique_name) -> GatewayOptions:
    publishers = tmp_path / "publishers.yaml"
    write_publishers(publishers, unique_name("school"), unique_name("police"))
    return GatewayOptions(
        publishers_file=publishers,
        max_body_bytes=MAX_BODY,
        links_topic=unique_name("identity.links"),
    )


@pytest.fixture
def schema_source() -> InMemorySchemaSource:
    return InMemorySchemaSource()


@pytest.fixture
async def gateway(bus_settings, schema_source, gateway_options, unique_name):
    rig, lifespan = await start_gateway(
        bus_settings, schema_source, gateway_options, unique_name("school"), unique_name("police")
    )
    try:
        yield rig
    finally:
        await rig.client.aclose()
        await lifespan.__aexit__(None, None, None)
