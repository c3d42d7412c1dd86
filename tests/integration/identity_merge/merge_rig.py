"""The services of an identity merge, in this process, on the real broker and PostgreSQL.

The consent service and the gateway run with their lifespans entered by hand
(httpx over ASGI, no socket); the router and the thresholds worker run on
their transactional loops. Every topic, app id and agency is unique to the
test; one InMemorySchemaSource is shared by all of them and the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rigs.agencies import write_agencies

from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.bus import topics
from services.bus.kafka import ensure_topics
from services.bus.processor import LoopOptions
from services.bus.reading import records_to_end
from services.bus.settings import BusSettings
from services.consent.adapters.topics import ConsentTopics
from services.consent.bootstrap import ConsentOptions, build_consent_service
from services.gateway.bootstrap import GatewayOptions, build_gateway
from services.gateway.domain.publishers import token_digest
from services.router.bootstrap import build_router
from services.router.stage import RouterTopics
from services.router.worker import RouterWorker
from services.thresholds.bootstrap import ThresholdsWorker, build_thresholds
from services.thresholds.processor import ThresholdsTopics

NHS_NUMBER = "943 476 5919"
UPN = "A123456789012"
STEWARD = {"Authorization": "Bearer dev-token-identity-steward"}
OFFICER = {"Authorization": "Bearer dev-token-consent-officer"}
AUDITOR = {"Authorization": "Bearer dev-token-auditor"}
PLAN_RULE = "attendance.unexplained-absence-on-plan"


def json_ready(value: Any) -> Any:
    """An event's value as an agency system would POST it (ISO dates, UUID strings)."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def identified(event: dict[str, Any], *identifiers: tuple[str, str]) -> dict[str, Any]:
    """`event` as JSON naming its child by raw identifiers instead of a child_ref."""
    body = json_ready({k: v for k, v in event.items() if k != "child_ref"})
    listed = [{"kind": kind, "value": value} for kind, value in identifiers]
    body["identifier"] = listed[0] if len(listed) == 1 else listed
    return body


@dataclass
class Names:
    """Agencies, topics and app ids of one test."""

    school: str
    social: str
    la: str
    consent: ConsentTopics
    router: RouterTopics
    thresholds: ThresholdsTopics
    links: str
    merges: str

    @classmethod
    def unique(cls) -> Names:
        sfx = uuid.uuid4().hex[:8]
        merges = f"identity.merges-{sfx}"
        alerts = f"alerts-{sfx}"
        consent = ConsentTopics(
            agreements=f"consent-agreements-{sfx}",
            directives=f"consent-directives-{sfx}",
            audit=f"audit-{sfx}",
            reviews=f"audit-reviews-{sfx}",
            merges=merges,
        )
        return cls(
            school=f"school-{sfx}",
            social=f"social-{sfx}",
            la=f"la-{sfx}",
            consent=consent,
            router=RouterTopics(
                alerts=alerts,
                directives=consent.directives,
                audit=consent.audit,
                agreements=consent.agreements,
                merges=merges,
            ),
            thresholds=ThresholdsTopics(
                alerts=alerts, acknowledgements=f"acks-{sfx}", merges=merges
            ),
            links=f"identity.links-{sfx}",
            merges=merges,
        )

    def all_topics(self) -> list[str]:
        agencies = (self.school, self.social, self.la)
        return [
            *(topics.ingest(a) for a in agencies),
            *(topics.view(a) for a in agencies),
            self.consent.agreements,
            self.consent.directives,
            self.consent.audit,
            self.consent.reviews,
            self.merges,
            self.router.alerts,
            self.thresholds.acknowledgements,
            self.links,
            topics.deadletter(self.links),
        ]


@dataclass
class World:
    """The running services of one test and the calls the test makes on them."""

    settings: BusSettings
    names: Names
    codec: AvroCodec
    consent: httpx.AsyncClient
    gateway: httpx.AsyncClient
    router: RouterWorker
    thresholds: ThresholdsWorker

    def as_agency(self, agency: str) -> dict[str, str]:
        return {"Authorization": f"Bearer dev-token-{agency}"}

    async def resolve(self, agency: str, kind: str, value: str) -> str:
        answer = await self.gateway.post(
            "/v1/identity/resolve",
            json={"kind": kind, "value": value},
            headers=self.as_agency(agency),
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["child_ref"])

    async def post(self, agency: str, body: dict[str, Any]) -> httpx.Response:
        return await self.gateway.post("/v1/events", json=body, headers=self.as_agency(agency))

    async def events(self, topic: str) -> list[dict[str, Any]]:
        """Every committed record of `topic`, decoded."""
        return [self.codec.decode(r.value) async for r in records_to_end(self.settings, topic)]

    async def processed(self, router: int, thresholds: int, seconds: float = 60) -> None:
        """Wait until each loop has committed at least this many records."""
        deadline = time.monotonic() + seconds
        while self.router.loop.processed < router or self.thresholds.loop.processed < thresholds:
            assert time.monotonic() < deadline, (
                f"router {self.router.loop.processed}/{router}, "
                f"thresholds {self.thresholds.loop.processed}/{thresholds} records"
            )
            await asyncio.sleep(0.2)

    async def relinked(self, agency: str, kind: str, value: str, child_ref: str) -> None:
        """Wait until the gateway resolves the identifier to `child_ref` (it follows the merges)."""
        deadline = time.monotonic() + 30
        while await self.resolve(agency, kind, value) != child_ref:
            assert time.monotonic() < deadline, "the gateway never followed the merge"
            await asyncio.sleep(0.2)


def attendance(agency: str, day: dt.date, code: str = "N") -> dict[str, Any]:
    """A register mark at `agency` on `day`, AM session."""
    at = dt.datetime.combine(day, dt.time(9, 5), tzinfo=dt.UTC)
    event = sample_event(
        "AttendanceMarked", school=agency, session_date=day, session="AM", register_code=code
    )
    event.update(occurred_at=at, recorded_at=at, minutes_late=None)
    event["source"] = {**event["source"], "agency": agency}
    return event


def plan_started(agency: str, day: dt.date) -> dict[str, Any]:
    """A child-protection plan started by `agency` on `day`."""
    at = dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC)
    event = sample_event("ChildProtectionPlanStarted", start_date=day)
    event.update(occurred_at=at, recorded_at=at, unexplained_absence_alert_sessions=None)
    event["source"] = {**event["source"], "agency": agency}
    return event


def _write_publishers(path: Path, *agencies: str) -> Path:
    lines = ["publishers:"]
    for agency in agencies:
        lines += [
            f"  - agency: {agency}",
            f"    token_sha256: {token_digest('dev-token-' + agency)}",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


async def _entered(app: Any, stack: contextlib.AsyncExitStack, base_url: str) -> httpx.AsyncClient:
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    stack.push_async_exit(lifespan.__aexit__)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
    stack.push_async_callback(client.aclose)
    return client


@contextlib.asynccontextmanager
async def merge_world(
    settings: BusSettings, database_url: str, tmp_path: Path
) -> AsyncIterator[World]:
    """Consent service, gateway, router and thresholds worker, running until the block ends."""
    names = Names.unique()
    kinds = {names.school: "school", names.social: "social-care", names.la: "local-authority"}
    agencies = write_agencies(tmp_path / "agencies.yaml", kinds)
    publishers = _write_publishers(tmp_path / "publishers.yaml", names.school, names.social)
    await ensure_topics(settings, names.all_topics())
    source = InMemorySchemaSource()
    async with contextlib.AsyncExitStack() as stack:
        consent_app = build_consent_service(
            settings,
            source,
            ConsentOptions(agencies_file=agencies, topics=names.consent, database_url=database_url),
        )
        consent = await _entered(consent_app, stack, "http://consent")
        gateway_app = build_gateway(
            settings,
            source,
            GatewayOptions(
                publishers_file=publishers,
                agencies_file=agencies,
                links_topic=names.links,
                merges_topic=names.merges,
            ),
        )
        gateway = await _entered(gateway_app, stack, "http://gateway")
        sfx = names.merges.rsplit("-", 1)[-1]
        router = build_router(
            settings, source, agencies, app_id=f"router-{sfx}", router_topics=names.router
        )
        thresholds = build_thresholds(
            settings,
            source,
            agencies_file=agencies,
            app_id=f"thresholds-{sfx}",
            names=names.thresholds,
            options=LoopOptions(tick_every_s=3600),
        )
        running = [asyncio.create_task(w.run()) for w in (router, thresholds)]

        async def stop_workers() -> None:
            router.stopping.set()
            thresholds.stopping.set()
            await asyncio.wait_for(asyncio.gather(*running), 60)

        stack.push_async_callback(stop_workers)
        yield World(settings, names, AvroCodec(source), consent, gateway, router, thresholds)
        for task in running:
            if task.done():
                task.result()  # a worker that died says why


async def agreement_in_force(world: World, agreement: dict[str, Any]) -> None:
    """Create `agreement` as a consent officer; wait until the router decides with it."""
    answer = await world.consent.post("/v1/agreements", json=agreement, headers=OFFICER)
    assert answer.status_code == 201, answer.text
    deadline = time.monotonic() + 30
    while world.router.parts.policy.index.agreement(agreement["id"]) is None:
        assert time.monotonic() < deadline, "the router never saw the agreement"
        await asyncio.sleep(0.2)
