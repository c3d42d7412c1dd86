"""A school DSL drives the alerts page in headless Chromium against the real broker."""

import textwrap
import uuid

import pytest
from rigs.serving import serving
from rigs.views import new_schools, view_publisher

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.alerts.bootstrap import build_app
from services.alerts.domain.users import token_digest
from services.alerts.samples import alert_record, disclosed_record
from services.alerts.settings import AlertsSettings

pytestmark = pytest.mark.browser


@pytest.fixture
async def deployment(bus_settings, tmp_path):
    """Two unique schools with a DSL each, their view topics, and a publisher into views."""
    first, second = await new_schools(bus_settings)
    users = tmp_path / "duty-users.yaml"
    users.write_text(
        textwrap.dedent(f"""\
        users:
          - {{id: dsl-a, name: Northgate DSL, agency: {first}, role: duty-manager,
              token_sha256: {token_digest("e2e-token-a")}}}
          - {{id: dsl-b, name: Riverside DSL, agency: {second}, role: duty-manager,
              token_sha256: {token_digest("e2e-token-b")}}}
        """),
        encoding="utf-8",
    )
    hooks = tmp_path / "webhooks.yaml"
    hooks.write_text("webhooks: []\n", encoding="utf-8")
    options = AlertsSettings(
        users_file=users,
        webhooks_file=hooks,
        acknowledged_topic=f"alerts.acknowledged.e2e-{uuid.uuid4().hex[:8]}",
    )
    source = InMemorySchemaSource()
    async with view_publisher(bus_settings, AvroCodec(source)) as publish:
        yield first, second, build_app(bus_settings, options, source), publish


async def sign_in(browser, url, token):
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    await page.goto(url + "/")
    await page.get_by_label("Duty token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_selector('body[data-feed="live"]')
    return page


class TestAlertsPage:
    async def test_dsl_sees_new_alert_live_and_acknowledges_it(
        self, deployment, chromium, artifacts
    ):
        """New alerts appear without reload; acknowledging updates the row; others see none."""
        first, _, app, publish = deployment
        await publish(
            alert_record(
                first,
                summary="Persistent absence: 12% of sessions missed",
                severity="medium",
                rule_id="attendance.persistent-absence",
            )
        )
        evidence = disclosed_record(
            first,
            "DomesticAbuseIncidentNotified",
            {"incident_at": "2026-03-01T22:10:00+00:00", "child_present": True},
        )
        await publish(evidence)
        async with serving(app) as url:
            page = await sign_in(chromium, url, "e2e-token-a")
            await page.wait_for_selector("#alerts tr")
            assert await page.locator("#alerts tr").count() == 1
            await page.evaluate("window.__sameDocument = true")

            alert_id = str(uuid.uuid4())
            summary = "Police attended a domestic abuse incident; child present"
            await publish(
                alert_record(
                    first,
                    alert_id=alert_id,
                    summary=summary,
                    evidence_event_ids=(evidence["event_id"],),
                )
            )
            row = page.locator(f'tr[data-alert-id="{alert_id}"]')
            await row.wait_for(timeout=20_000)
            assert await page.evaluate("window.__sameDocument === true")
            assert await page.locator("#alerts tr").count() == 2

            await page.get_by_role("button", name=f"Acknowledge {summary}").click()
            await page.wait_for_selector(
                f'tr[data-alert-id="{alert_id}"][data-status="acknowledged"]'
            )
            await page.get_by_role("button", name=f"Show evidence for {summary}").click()
            await page.locator("#evidence").get_by_text("DomesticAbuseIncidentNotified").wait_for()
            await page.screenshot(path=str(artifacts / "alerts-page.png"), full_page=True)

            other = await sign_in(chromium, url, "e2e-token-b")
            assert await other.locator("#alerts tr").count() == 0
            assert await other.locator("#empty").is_visible()
            status = await other.evaluate(
                "id => fetch('/api/alerts/' + id).then(r => r.status)", alert_id
            )
            assert status == 404
            await page.context.close()
            await other.context.close()
