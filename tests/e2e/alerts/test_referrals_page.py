"""A school DSL's referrals and a partnership analyst's page, in headless Chromium.

The alerts service runs against the real broker; records are put into the
school's and the partnership's views as the router writes them. The DSL sees
each referral's status and decision and raises a disagreement in two clicks
(published to the duty page's ingest topic); the analyst sees charts only.
"""

import datetime as dt
import json
import re
import textwrap
import time
import uuid

import pytest
from rigs.serving import serving
from rigs.views import view_publisher

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.alerts.bootstrap import build_app
from services.alerts.domain.users import token_digest
from services.alerts.referral_samples import decision_fields, loop_record
from services.alerts.settings import AlertsSettings
from services.bus import topics
from services.bus.kafka import build_consumer, ensure_topics

pytestmark = pytest.mark.browser
DAY = dt.timedelta(days=1)


@pytest.fixture
async def deployment(bus_settings, tmp_path):
    """A school with a DSL, a partnership with an analyst, their views, and a view publisher."""
    sfx = uuid.uuid4().hex[:8]
    school, social, partnership = f"school-{sfx}", f"social-{sfx}", f"partnership-{sfx}"
    publisher = f"duty-page-{sfx}"
    await ensure_topics(
        bus_settings,
        [topics.view(school), topics.view(partnership), topics.ingest(publisher)],
    )
    users = tmp_path / "duty-users.yaml"
    users.write_text(
        textwrap.dedent(f"""\
        users:
          - {{id: dsl, name: Northgate DSL, agency: {school}, role: duty-manager,
              token_sha256: {token_digest("e2e-dsl")}}}
          - {{id: analyst, name: Partnership analyst, agency: {partnership},
              role: partnership-analyst, token_sha256: {token_digest("e2e-analyst")}}}
        """),
        encoding="utf-8",
    )
    agencies = tmp_path / "agencies.yaml"
    agencies.write_text(
        textwrap.dedent(f"""\
        agencies:
          - {{id: {school}, kind: school, name: Northgate, duty_contact: dsl@x.example}}
          - {{id: police-{sfx}, kind: police, name: Police, duty_contact: p@x.example}}
          - {{id: {social}, kind: social-care, name: Social care, duty_contact: s@x.example}}
        """),
        encoding="utf-8",
    )
    hooks = tmp_path / "webhooks.yaml"
    hooks.write_text("webhooks: []\n", encoding="utf-8")
    options = AlertsSettings(
        users_file=users,
        webhooks_file=hooks,
        agencies_file=agencies,
        acknowledged_topic=f"alerts.acknowledged.e2e-{sfx}",
        partnership_agency=partnership,
        publisher_agency=publisher,
    )
    source = InMemorySchemaSource()
    codec = AvroCodec(source)
    async with view_publisher(bus_settings, codec) as publish:
        yield {
            "school": school,
            "social": social,
            "police": f"police-{sfx}",
            "partnership": partnership,
            "publisher": publisher,
            "app": build_app(bus_settings, options, source),
            "publish": publish,
            "codec": codec,
        }


async def _school_referrals(d) -> None:
    """Four referrals of the school, one per status, as social care's events disclose them."""
    school, social, publish = d["school"], d["social"], d["publish"]
    now = dt.datetime.now(dt.UTC)

    def record(event_type, referral, fields, at):
        return loop_record(
            school, event_type, referral, fields, source_agency=social, occurred_at=at
        )

    await publish(record("ReferralReceived", "ref-waiting", {}, now - DAY))
    await publish(record("ReferralReceived", "ref-decided", {}, now - 3 * DAY))
    await publish(record("ReferralDecided", "ref-decided", decision_fields(), now - 2 * DAY))
    assess = decision_fields(
        "child_in_need_assessment", threshold_level="level-3", reason_category="child-in-need-s17"
    )
    await publish(record("ReferralDecided", "ref-assess", assess, now - 5 * DAY))
    s47 = decision_fields(
        "section_47_enquiry",
        threshold_level="level-4",
        reason_category="significant-harm-suspected-s47",
    )
    await publish(record("ReferralDecided", "ref-closed", s47, now - 40 * DAY))
    await publish(
        record(
            "AssessmentCompleted", "ref-closed", {"outcome": "child_in_need_plan"}, now - 10 * DAY
        )
    )


async def _partnership_story(d) -> None:
    """Decisions on 60 referrals in the partnership's view: some cells under 5."""
    start = dt.datetime(2026, 9, 7, 9, 0, tzinfo=dt.UTC)
    outcomes = [
        "early_help",
        "no_further_action",
        "child_in_need_assessment",
        "section_47_enquiry",
        "universal_services",
    ]
    for number in range(60):
        referral = f"p-{number}"
        referrer = d["school"] if number % 3 else d["police"]
        made = start + dt.timedelta(days=number % 70, hours=number % 7)
        await d["publish"](
            loop_record(
                d["partnership"],
                "ReferralMade",
                referral,
                {},
                source_agency=referrer,
                occurred_at=made,
            )
        )
        decided = made + dt.timedelta(hours=4 + number % 30)
        fields = {
            "outcome": outcomes[number % 5 if number < 40 else 0],
            "referrer_agency": referrer,
            "decided_at": decided.isoformat(),
        }
        await d["publish"](
            loop_record(
                d["partnership"],
                "ReferralDecided",
                referral,
                fields,
                source_agency=d["social"],
                occurred_at=decided,
                routed_at=decided + dt.timedelta(hours=1),
            )
        )
        if number % 10 == 0:
            await d["publish"](
                loop_record(
                    d["partnership"],
                    "ProfessionalDisagreementRaised",
                    referral,
                    {"stage": 1},
                    source_agency=referrer,
                    occurred_at=decided + DAY,
                )
            )


async def _open(browser, url, token, ready):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    await page.goto(url + "/")
    await page.get_by_label("Duty token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_selector(ready)
    return page


class TestReferralsPage:
    async def test_dsl_sees_referrals_and_disagrees_in_two_clicks(
        self, deployment, chromium, artifacts, bus_settings
    ):
        """Statuses and decisions as disclosed; Disagree, Raise disagreement: one event."""
        d = deployment
        await _school_referrals(d)
        async with serving(d["app"]) as url:
            page = await _open(chromium, url, "e2e-dsl", 'body[data-feed="live"]')
            deadline = time.monotonic() + 20
            while await page.locator("#referrals tr").count() < 4:
                assert time.monotonic() < deadline, "the referrals did not arrive"
                await page.reload()
                await page.wait_for_selector('body[data-feed="live"]')
            statuses = {
                await row.get_attribute("data-referral-id"): await row.get_attribute("data-status")
                for row in await page.locator("#referrals tr").all()
            }
            assert statuses == {
                "ref-waiting": "waiting",
                "ref-decided": "decided",
                "ref-assess": "assessment",
                "ref-closed": "closed",
            }
            decided = page.locator('tr[data-referral-id="ref-decided"]')
            assert "Early help" in await decided.inner_text()
            assert "early help offer is appropriate" in await decided.inner_text()
            await page.screenshot(path=str(artifacts / "referrals-list.png"), full_page=True)

            await decided.get_by_role("button", name="Disagree").click()
            await decided.get_by_role("button", name="Raise disagreement").click()
            await page.locator(
                'tr[data-referral-id="ref-decided"]', has_text="Disagreement raised"
            ).wait_for(timeout=15_000)
            await page.screenshot(
                path=str(artifacts / "referrals-disagreement.png"), full_page=True
            )
            forbidden = await page.evaluate("fetch('/partnership/api/figures').then(r => r.status)")
            assert forbidden == 403
            await page.context.close()

        raised = await _read(bus_settings, d["codec"], topics.ingest(d["publisher"]), 1)
        assert [(e["event_type"], e["correlation_id"], e["source"]["agency"]) for e in raised] == [
            ("ProfessionalDisagreementRaised", "ref-decided", d["school"])
        ]
        assert (raised[0]["raised_with"], raised[0]["stage"]) == (d["social"], 1)

    async def test_partnership_analyst_sees_charts_without_small_cells(
        self, deployment, chromium, artifacts
    ):
        """The analyst lands on /partnership: SVG charts, no count under 5 drawn or listed."""
        d = deployment
        await _partnership_story(d)
        async with serving(d["app"]) as url:
            page = await _open(chromium, url, "e2e-analyst", "main.partnership")
            deadline = time.monotonic() + 20
            figures: dict = {}
            while time.monotonic() < deadline:
                figures = json.loads(
                    await page.evaluate("fetch('/partnership/api/figures').then(r => r.text())")
                )
                if figures["timeliness"][0]["count"] == 60:
                    break
                await page.wait_for_timeout(500)
            assert figures["timeliness"][0]["count"] == 60
            await page.reload()
            assert await page.locator("svg[role=img]").count() >= 4
            counts = [c["count"] for c in figures["referrals"] + figures["disagreements"]]
            assert None in counts
            assert all(c is None or c >= 5 for c in counts)
            drawn = re.findall(r": (\d+)</title>", await page.content())
            assert all(int(n) >= 5 for n in drawn)
            await page.screenshot(path=str(artifacts / "partnership-page.png"), full_page=True)
            board = await page.evaluate("fetch('/api/alerts').then(r => r.status)")
            assert board == 403
            await page.context.close()


async def _read(settings, codec, topic: str, want: int) -> list[dict]:
    consumer = build_consumer(settings, topic, group_id=None)
    await consumer.start()
    found: list[dict] = []
    try:
        deadline = time.monotonic() + 20
        while len(found) < want and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                found.extend(codec.decode(r.value) for r in records)
    finally:
        await consumer.stop()
    return found
