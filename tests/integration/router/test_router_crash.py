"""Exactly once, proven: kill -9 the router mid-stream, restart it, lose and repeat nothing.

The router runs as its own process (`joinedup router worker`) against the real
broker and a real registry; the test SIGKILLs it while events flow, starts it
again, and checks that every event reached the view exactly once (as a
read_committed consumer sees it), that every decision is audited once, and
that the audit hash chain is unbroken.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import pytest
import yaml

from consent.domain import AgencySelector, RecipientSelector, SharingAgreement
from consent.records import agreement_record
from schemas.codec import AvroCodec
from schemas.registry_client import RegistryClient
from schemas.samples import sample_event
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.router.audit_reader import verify_audit

pytestmark = pytest.mark.integration

EVENTS = 1500
CHILDREN = 40


def _start_router(env: dict[str, str], agencies, suffix: str, log) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services",
            "router",
            "worker",
            "--agencies",
            str(agencies),
            "--app-id",
            f"router-crash-{suffix}",
            "--audit-topic",
            f"audit-{suffix}",
            "--agreements-topic",
            f"agreements-{suffix}",
            "--directives-topic",
            f"directives-{suffix}",
            "--alerts-topic",
            f"alerts-{suffix}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


async def _count_distinct(consumer, codec, ids: set[str], want: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    total = 0
    while len(ids) < want and time.monotonic() < deadline:
        for records in (await consumer.getmany(timeout_ms=300)).values():
            total += len(records)
            ids.update(str(codec.decode(r.value)["event_id"]) for r in records)
    return total


class TestRouterCrash:
    async def test_sigkill_mid_stream_loses_nothing_and_keeps_the_chain(
        self, bus_settings, registry, tmp_path
    ):
        """After a SIGKILL and restart every event is in the view and audited once, chain intact."""
        suffix = uuid.uuid4().hex[:8]
        school, social = f"school-{suffix}", f"social-{suffix}"
        agencies = tmp_path / "agencies.yaml"
        agencies.write_text(
            yaml.safe_dump(
                {
                    "agencies": [
                        {
                            "id": school,
                            "kind": "school",
                            "name": "School",
                            "duty_contact": "d@s.example",
                        },
                        {
                            "id": social,
                            "kind": "social-care",
                            "name": "CSC",
                            "duty_contact": "d@c.example",
                        },
                    ]
                }
            )
        )
        await ensure_topics(
            bus_settings,
            [topics.ingest(school), topics.view(social), f"audit-{suffix}", f"agreements-{suffix}"],
        )
        codec = AvroCodec(RegistryClient(registry.url))
        agreement = SharingAgreement(
            id="isa-all-attendance",
            version=1,
            title="All attendance to social care",
            provider=AgencySelector(agency=school),
            recipient=RecipientSelector(agency=social),
            event_types=frozenset({"AttendanceMarked"}),
            data_classes=frozenset({"operational"}),
            purpose="safeguarding",
            legal_basis="public-task-ca1989-s47",
            valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        )
        producer = build_producer(bus_settings)
        await producer.start()
        await producer.send_and_wait(
            f"agreements-{suffix}",
            codec.encode("SharingAgreementPublished", agreement_record(agreement)),
            key=b"isa-all-attendance",
        )
        env = {
            **os.environ,
            "JOINEDUP_BOOTSTRAP_SERVERS": bus_settings.bootstrap,
            "JOINEDUP_REGISTRY_URL": registry.url,
        }
        view = build_consumer(bus_settings, topics.view(social), group_id=None)
        await view.start()
        seen: set[str] = set()
        router = _start_router(env, agencies, suffix, tmp_path / "router.log")
        try:
            for n in range(EVENTS):
                child = f"cr1_{suffix}{n % CHILDREN:024d}"
                event = sample_event("AttendanceMarked", child_ref=child, school=school)
                event["source"] = {**event["source"], "agency": school}
                await producer.send(
                    topics.ingest(school),
                    codec.encode("AttendanceMarked", event),
                    key=child.encode(),
                )
            await producer.flush()
            await _count_distinct(view, codec, seen, EVENTS // 4, 90)
            assert seen, "the router wrote nothing before the crash"
            router.send_signal(signal.SIGKILL)
            router.wait(timeout=30)
            crashed_at = len(seen)
            router = _start_router(env, agencies, suffix, tmp_path / "router.log")
            await _count_distinct(view, codec, seen, EVENTS, 180)
        finally:
            router.terminate()
            router.wait(timeout=60)
            await view.stop()
            await producer.stop()
        assert crashed_at < EVENTS, "the crash came too late to test anything"
        assert len(seen) == EVENTS, (tmp_path / "router.log").read_text()[-3000:]
        report = await verify_audit(bus_settings, codec, f"audit-{suffix}")
        assert report.intact, report.breaks
        assert report.records == EVENTS
        assert report.repeated_decisions == 0
        everything = build_consumer(bus_settings, topics.view(social), group_id=None)
        await everything.start()
        try:
            total = await _count_distinct(everything, codec, set(), EVENTS, 60)
            total += await _count_distinct(everything, codec, set(), EVENTS + 1, 2)
        finally:
            await everything.stop()
        assert total == EVENTS
