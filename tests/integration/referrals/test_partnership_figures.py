"""The partnership's figures on the real broker: agencies' events -> router -> the partnership's
view -> the alerts service's /partnership API, against a brute-force count of that view.

Referrals from two schools, a police force, a health trust and members of the public
(social care's receipt only), decisions, disagreements; agreements give the partnership
the loop's outcomes without content. The figures must equal the naive recount of every
record the partnership's view holds, and no cell under the minimum may be shown.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import textwrap
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from rigs.agencies import write_agencies
from rigs.referral_counts import brute_force
from rigs.serving import serving

from consent.domain import AgencySelector, RecipientSelector, SharingAgreement
from consent.records import agreement_record
from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.alerts.bootstrap import build_app
from services.alerts.domain.users import token_digest
from services.alerts.settings import AlertsSettings
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.router.bootstrap import build_router
from services.router.stage import RouterTopics

pytestmark = pytest.mark.integration
LONDON = ZoneInfo("Europe/London")
SINCE = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
MINIMUM = 5
OUTCOMES = [
    "no_further_action",
    "universal_services",
    "early_help",
    "child_in_need_assessment",
    "section_47_enquiry",
]
REFERRER_EVENTS = frozenset(
    {
        "ReferralMade",
        "ProfessionalDisagreementRaised",
        "ProfessionalDisagreementEscalated",
        "ProfessionalDisagreementResolved",
    }
)
SOCIAL_EVENTS = frozenset(
    {
        "ReferralReceived",
        "ReferralDecided",
        "ProfessionalDisagreementEscalated",
        "ProfessionalDisagreementResolved",
    }
)


def _to_partnership(agreement_id, provider, partnership, event_types, fields):
    return SharingAgreement(
        id=agreement_id,
        version=1,
        title=f"Referral loop to the partnership ({agreement_id})",
        provider=provider,
        recipient=RecipientSelector(agency=partnership),
        event_types=event_types,
        fields=frozenset(fields),
        purpose="safeguarding",
        legal_basis="public-task-ca2004-s11",
        valid_from=SINCE,
    )


def _agreements(social: str, partnership: str) -> list[SharingAgreement]:
    return [
        *(
            _to_partnership(
                f"isa-loop-{kind}",
                AgencySelector(kind=kind),
                partnership,
                REFERRER_EVENTS,
                {"stage", "outcome"},
            )
            for kind in ("school", "police", "health")
        ),
        _to_partnership(
            "isa-loop-social",
            AgencySelector(agency=social),
            partnership,
            SOCIAL_EVENTS,
            {"referrer_agency", "outcome", "threshold_level", "reason_category", "decided_at"}
            | {"stage"},
        ),
    ]


def _story(rng: random.Random, referrers: list[str], social: str, count: int) -> list[tuple]:
    """(agency, event type, moment, referral id, child_ref, fields) of every event, in order."""
    start = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
    events: list[tuple] = []
    for number in range(count):
        referral, child = f"ref-{number}", f"cr1_{uuid.uuid4().hex}"
        referrer = rng.choice([*referrers, None])
        made = start + dt.timedelta(hours=rng.randint(0, 24 * 80))
        if referrer is None:
            fields = {"referral_date": made.date(), "referrer_agency": None}
            events.append((social, "ReferralReceived", made, referral, child, fields))
        else:
            fields = {"referred_to": social}
            events.append((referrer, "ReferralMade", made, referral, child, fields))
        if rng.random() < 0.2:
            continue
        decided = made + dt.timedelta(hours=rng.randint(1, 72))
        fields = {
            "referrer_agency": referrer,
            "outcome": rng.choice(OUTCOMES),
            "decided_at": decided,
        }
        events.append((social, "ReferralDecided", decided, referral, child, fields))
        if referrer is not None and rng.random() < 0.35:
            raised = decided + dt.timedelta(days=1)
            fields = {"referrer_agency": referrer, "raised_with": social, "stage": 1}
            events.append(
                (referrer, "ProfessionalDisagreementRaised", raised, referral, child, fields)
            )
            stage = rng.randint(1, 3)
            if stage > 1:
                fields = {"referrer_agency": referrer, "stage": stage}
                events.append(
                    (social, "ProfessionalDisagreementEscalated", raised, referral, child, fields)
                )
            if rng.random() < 0.6:
                end = rng.choice(["decision_stands", "decision_changed", "withdrawn"])
                fields = {"referrer_agency": referrer, "stage": stage, "outcome": end}
                events.append(
                    (social, "ProfessionalDisagreementResolved", raised, referral, child, fields)
                )
    return events


class TestPartnershipFigures:
    async def test_figures_equal_a_brute_force_count_of_the_view(
        self, bus_settings, tmp_path: Path
    ):
        """The API's figures equal the naive recount; every shown count is at least 5."""
        sfx = uuid.uuid4().hex[:8]
        schools = [f"school-{sfx}-a", f"school-{sfx}-b"]
        police, health = f"police-{sfx}", f"health-{sfx}"
        social, partnership = f"social-{sfx}", f"partnership-{sfx}"
        kinds = {schools[0]: "school", schools[1]: "school", police: "police", health: "health"}
        agencies = write_agencies(
            tmp_path / "agencies.yaml",
            {**kinds, social: "social-care", partnership: "local-authority"},
        )
        names = RouterTopics(
            alerts=f"router-alerts-{sfx}",
            directives=f"directives-{sfx}",
            audit=f"audit-{sfx}",
            agreements=f"agreements-{sfx}",
        )
        every = [*kinds, social, partnership]
        await ensure_topics(
            bus_settings,
            [
                *(topics.ingest(a) for a in every),
                *(topics.view(a) for a in every),
                names.alerts,
                names.directives,
                names.audit,
                names.agreements,
                topics.ingest(f"duty-page-{sfx}"),
            ],
        )
        source = InMemorySchemaSource()
        codec = AvroCodec(source)
        producer = build_producer(bus_settings)
        await producer.start()
        for agreement in _agreements(social, partnership):
            await producer.send_and_wait(
                names.agreements,
                codec.encode("SharingAgreementPublished", agreement_record(agreement)),
                key=agreement.id.encode(),
            )
        story = _story(random.Random(14), list(kinds), social, 160)  # noqa: S311 - test data
        users = tmp_path / "duty-users.yaml"
        users.write_text(
            textwrap.dedent(f"""\
            users:
              - {{id: analyst, name: Analyst, agency: {partnership}, role: partnership-analyst,
                  token_sha256: {token_digest("analyst-token")}}}
            """)
        )
        hooks = tmp_path / "webhooks.yaml"
        hooks.write_text("webhooks: []\n")
        options = AlertsSettings(
            users_file=users,
            webhooks_file=hooks,
            agencies_file=agencies,
            acknowledged_topic=f"acks-{sfx}",
            partnership_agency=partnership,
            publisher_agency=f"duty-page-{sfx}",
            partnership_minimum_cell=MINIMUM,
        )
        router = build_router(
            bus_settings, source, agencies, app_id=f"router-{sfx}", router_topics=names
        )
        running = asyncio.create_task(router.run())
        view = build_consumer(bus_settings, topics.view(partnership), group_id=None)
        await view.start()
        held: list[dict] = []
        try:
            for agency, event_type, at, referral, child, fields in story:
                event = sample_event(event_type, child_ref=child, correlation_id=referral, **fields)
                event.update(occurred_at=at, recorded_at=at)
                event["source"] = {**event["source"], "agency": agency}
                await producer.send_and_wait(
                    topics.ingest(agency), codec.encode(event_type, event), key=child.encode()
                )
            deadline = time.monotonic() + 60
            while len(held) < len(story):
                assert time.monotonic() < deadline, f"view holds {len(held)} of {len(story)}"
                for records in (await view.getmany(timeout_ms=300)).values():
                    held.extend(codec.decode(r.value) for r in records)
            expected = brute_force(held, kinds, MINIMUM, LONDON)
            async with (
                serving(build_app(bus_settings, options, source)) as url,
                httpx.AsyncClient(base_url=url) as client,
            ):
                auth = {"Authorization": "Bearer analyst-token"}
                deadline, figures = time.monotonic() + 30, {}
                while figures != expected and time.monotonic() < deadline:
                    answer = await client.get("/partnership/api/figures", headers=auth)
                    figures = answer.json()
                    await asyncio.sleep(0.3)
                page = await client.get("/partnership", headers=auth)
        finally:
            router.stopping.set()
            await asyncio.wait_for(running, 30)
            await view.stop()
            await producer.stop()

        assert len(held) == len(story)
        assert figures == expected
        counts = [c["count"] for c in figures["referrals"] + figures["disagreements"]]
        counts += [c["decided"] for c in figures["conversion"]]
        assert None in counts
        assert sum(count is not None for count in counts) >= 5
        assert all(count is None or count >= MINIMUM for count in counts)
        assert figures["timeliness"][0]["count"] is not None
        assert page.status_code == 200
        assert page.text.count("<svg") >= 4
        assert "cr1_" not in page.text
