"""An auditor and an IG lead drive the audit part of the page in headless Chromium."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect
from rigs.audit_rows import insert_rows, made_up_rows

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
BLOB = re.compile(r"^blob:")
AGENCIES = ("la-education", "police-west", "school-100001", "la-social-care", "health-trust")


def five_years_of_decisions(db_url: str) -> list[dict]:
    """Decisions about ten children over five years, to the demo's agencies, in the index."""
    now = datetime.now(UTC)
    rows = made_up_rows(31, 600, children=10, start=now - timedelta(days=5 * 365),
                        span=timedelta(days=5 * 365 - 1))  # fmt: skip
    for row in rows:
        row["recipient"] = AGENCIES[int(row["recipient"].rsplit("-", 1)[1])]
    insert_rows(db_url, rows)
    return rows


async def sign_in(page, url: str, token: str, role: str) -> None:
    """Open the page and sign in with `token`; wait until `role` is shown."""
    await page.goto(url)
    await page.get_by_label("Access token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#who")).to_contain_text(role)


class TestAuditPage:
    async def test_auditor_searches_and_opens_a_subject_access_report(self, chromium, consent_site):
        """Search with a filter and page on; open a child's report with its timeline, and its
        printable page."""
        rows = five_years_of_decisions(consent_site.db_url)
        child = rows[0]["child_ref"]
        about = [r for r in rows if r["child_ref"] == child]
        page = await chromium.new_page(viewport={"width": 1280, "height": 900})
        try:
            await sign_in(page, consent_site.url, "dev-token-auditor", "auditor")
            await expect(page.locator("#reviews-section")).to_be_hidden()
            await page.locator("#au-decision").select_option("deny")
            await page.get_by_role("button", name="Search", exact=True).click()
            await expect(page.locator("#status")).to_contain_text("Page 1: 100 decisions")
            await page.locator("#au-next").click()
            await expect(page.locator("#status")).to_contain_text("Page 2")
            await expect(page.locator("#audit-table tbody tr").first).to_contain_text("deny")

            await page.locator("#au-child").fill(child)
            await page.get_by_role("button", name="Subject access report").click()
            section = page.get_by_role("region", name="Subject access report")
            await expect(section).to_be_visible()
            await expect(section.locator("#sar-decisions tbody tr")).to_have_count(len(about))
            await expect(section.locator("#sar-summary")).to_contain_text(str(len(about)))
            timeline = section.locator("#sar-timeline")
            await expect(timeline).to_have_attribute("src", BLOB)
            assert await timeline.evaluate("img => img.complete && img.naturalWidth > 0")
            ARTIFACTS.mkdir(exist_ok=True)
            await section.screenshot(path=str(ARTIFACTS / "consent-subject-access.png"))

            async with page.context.expect_page() as opened:
                await page.get_by_role("button", name="Printable report").click()
            printable = await opened.value
            await printable.wait_for_load_state()
            await expect(printable.locator("h1")).to_contain_text("Subject access report")
            await expect(printable.locator(".decisions tbody tr")).to_have_count(len(about))
            await printable.emulate_media(media="print")
            await printable.screenshot(
                path=str(ARTIFACTS / "subject-access-report-print.png"), full_page=True
            )
            await printable.close()
        finally:
            await page.close()

    async def test_ig_lead_reviews_an_override_from_the_queue(self, chromium, consent_site):
        """The queue lists the overrides; a review with a note takes one out of it and lowers
        the unreviewed count."""
        rows = five_years_of_decisions(consent_site.db_url)
        overrides = sum(r["override"] for r in rows)
        page = await chromium.new_page(viewport={"width": 1280, "height": 900})
        try:
            await sign_in(page, consent_site.url, "dev-token-ig-lead", "ig-lead")
            queue = page.locator("#queue-table tbody tr")
            await expect(queue).to_have_count(min(overrides, 100))
            unreviewed = page.locator("#ov-unreviewed")
            await expect(unreviewed).to_contain_text(f"overrides: {overrides}")
            first = queue.first
            reviewed = await first.get_attribute("data-offset")
            await first.get_by_role("button", name="Review").click()
            form = page.locator("#review-form")
            await expect(form).to_be_visible()
            await expect(form.locator("#review-detail")).to_contain_text("Fields shared")
            await form.get_by_label("Escalate").check()
            await form.get_by_label("Note").fill("No record of the risk assessment: refer to DSL.")
            ARTIFACTS.mkdir(exist_ok=True)
            await page.get_by_role("region", name="Override review").screenshot(
                path=str(ARTIFACTS / "consent-override-review.png")
            )
            await form.get_by_role("button", name="Record review").click()
            await expect(page.locator("#status")).to_contain_text("Review recorded: escalate")
            await expect(unreviewed).to_contain_text(f"overrides: {overrides - 1}")
            await expect(page.locator(f'#queue-table tr[data-offset="{reviewed}"]')).to_have_count(
                0
            )
            await expect(page.locator("#ov-map")).to_have_attribute("src", BLOB)
        finally:
            await page.close()
