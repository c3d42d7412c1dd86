"""Metrics scraped over HTTP after real traffic: the counters moved by exactly what was sent.

A router worker runs in this process against the real broker with topics of
the test's own, its probes served on a free port as `joinedup router worker`
serves them; the gateway runs in process too. Labels carry the test's unique
agency names, so figures of other tests in the session do not mix in.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from rigs.agencies import write_agencies
from rigs.ports import free_ports

from consent.domain import AgencySelector, RecipientSelector, SharingAgreement
from consent.records import agreement_record
from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.bus.worker_probes import worker_probes
from services.router.bootstrap import build_router
from services.router.stage import RouterTopics

pytestmark = pytest.mark.integration

EVENTS = 12
SINCE = datetime(2025, 9, 1, tzinfo=UTC)


def samples(page: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a metrics page by (name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }


def total(found: dict, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in found.items() if n == name and wanted <= ls)


async def until_audited(settings, topic: str, count: int, seconds: float = 60) -> None:
    """Wait until `topic` holds `count` records (the router's audit)."""
    consumer = build_consumer(settings, topic, group_id=None)
    await consumer.start()
    seen = 0
    try:
        deadline = time.monotonic() + seconds
        while seen < count and time.monotonic() < deadline:
            seen += sum(len(rs) for rs in (await consumer.getmany(timeout_ms=300)).values())
    finally:
        await consumer.stop()
    assert seen >= count, f"the router audited {seen} of {count}"


class TestRouterMetrics:
    async def test_a_scrape_after_traffic_counts_every_record_decision_and_dead_letter(
        self, bus_settings, registry, unique_name, tmp_path
    ):
        """12 events and 1 unreadable record: 13 consumed, 12 permits, 12 views timed,
        1 dead letter; lag back to 0; /healthz and /readyz answer."""
        suffix = uuid.uuid4().hex[:8]
        school, social = f"school-{suffix}", f"social-{suffix}"
        agencies = write_agencies(
            tmp_path / "agencies.yaml", {school: "school", social: "social-care"}
        )
        names = RouterTopics(
            alerts=f"alerts-{suffix}",
            directives=f"consent-directives-{suffix}",
            audit=f"audit-{suffix}",
            agreements=f"consent-agreements-{suffix}",
        )
        app_id = unique_name("router")
        await ensure_topics(
            bus_settings,
            [
                topics.view(social),
                topics.view(school),
                names.agreements,
                *names.sources([school, social]),
            ],
        )
        await ensure_topics(
            bus_settings, [names.audit, f"{app_id}-children", topics.deadletter(school)]
        )
        source = InMemorySchemaSource()
        codec = AvroCodec(source)
        producer = build_producer(bus_settings)
        await producer.start()
        agreement = SharingAgreement(
            id="isa-attendance",
            version=1,
            title="Attendance to social care",
            provider=AgencySelector(agency=school),
            recipient=RecipientSelector(agency=social),
            event_types=frozenset({"AttendanceMarked"}),
            valid_from=SINCE,
            purpose="safeguarding",
            data_classes=frozenset({"operational"}),
            legal_basis="public-task-ca1989-s47",
        )
        await producer.send_and_wait(
            names.agreements,
            codec.encode("SharingAgreementPublished", agreement_record(agreement)),
            key=agreement.id.encode(),
        )
        settings = bus_settings.model_copy(update={"registry_url": registry.url})
        router = build_router(settings, source, agencies, app_id=app_id, router_topics=names)
        (port,) = free_ports(1)
        with worker_probes(settings, port, "JOINEDUP_ROUTER_PROBE_PORT", lambda: router.loop.beat):
            running = asyncio.create_task(router.run())
            try:
                for n in range(EVENTS):
                    child = f"cr1_{suffix}{n:024d}"
                    event = sample_event("AttendanceMarked", child_ref=child, school=school)
                    event["source"] = {**event["source"], "agency": school}
                    await producer.send_and_wait(
                        topics.ingest(school),
                        codec.encode("AttendanceMarked", event),
                        key=child.encode(),
                    )
                await producer.send_and_wait(topics.ingest(school), b"not avro", key=b"x")
                await until_audited(bus_settings, names.audit, EVENTS)
                await asyncio.sleep(6)  # one more lag reading (every 5 s) after the last batch
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                    page = await http.get("/metrics")
                    alive = await http.get("/healthz")
                    ready = await http.get("/readyz")
            finally:
                router.stopping.set()
                await asyncio.wait_for(running, 30)
                await producer.stop()

        found = samples(page.text)
        ingest = topics.ingest(school)
        assert (
            total(found, "joinedup_records_consumed_total", app=app_id, topic=ingest) == EVENTS + 1
        )
        assert (
            total(found, "joinedup_records_produced_total", app=app_id, topic=topics.view(social))
            == EVENTS
        )
        assert (
            total(
                found,
                "joinedup_decisions_total",
                recipient=social,
                outcome="permit",
                reason="agreement",
            )
            == EVENTS
        )
        assert total(found, "joinedup_publish_to_view_seconds_count", recipient=social) == EVENTS
        assert (
            total(
                found,
                "joinedup_dead_letters_total",
                app=app_id,
                source=school,
                reason="undecodable",
            )
            == 1
        )
        assert total(found, "joinedup_transactions_total", app=app_id, outcome="committed") >= 1
        assert total(found, "joinedup_transactions_total", app=app_id, outcome="aborted") == 0
        assert total(found, "joinedup_consumer_lag", app=app_id, topic=ingest) == 0
        assert (alive.status_code, ready.status_code) == (200, 200), ready.text
        assert ready.json()["checks"] == {"broker": "ok", "registry": "ok"}
