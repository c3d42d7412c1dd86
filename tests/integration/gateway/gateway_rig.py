"""Helpers of the gateway tests: the in-process gateway rig and valid JSON events."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fakes.agency_json import attendance_json

from schemas.codec import AvroCodec
from services.bus.reading import records_to_end
from services.bus.settings import BusSettings
from services.gateway.bootstrap import GatewayOptions, build_gateway
from services.gateway.domain.publishers import token_digest

MAX_BODY = 256 * 1024
NHS_NUMBER = "943 476 5919"
UPN = "A123456789012"


@dataclass
class Gateway:
    client: httpx.AsyncClient
    settings: BusSettings
    agency: str
    other: str
    links_topic: str
    codec: AvroCodec
    options: GatewayOptions

    def auth(self, agency: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer dev-token-{agency or self.agency}"}

    async def records(self, topic: str) -> list:
        return [record async for record in records_to_end(self.settings, topic)]

    async def events(self, topic: str | None = None) -> list[dict]:
        return [self.codec.decode(r.value) for r in await self.records(topic or self.topic)]

    @property
    def topic(self) -> str:
        return f"ingest.{self.agency}"


def attendance(agency: str, **overrides) -> dict:
    """A valid AttendanceMarked as an agency system would POST it."""
    return attendance_json(agency, **overrides)


def write_publishers(path, *agencies: str) -> None:
    lines = ["publishers:"]
    for agency in agencies:
        lines += [
            f"  - agency: {agency}",
            f"    token_sha256: {token_digest('dev-token-' + agency)}",
        ]
    path.write_text("\n".join(lines) + "\n")


async def start_gateway(settings, source, options, agency, other):
    app = build_gateway(settings, source, options)
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")
    rig = Gateway(client, settings, agency, other, options.links_topic, AvroCodec(source), options)
    return rig, lifespan
