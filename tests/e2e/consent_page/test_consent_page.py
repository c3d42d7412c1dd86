"""A consent officer drives the page in headless Chromium against the running service."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SCREENSHOT = Path(__file__).resolve().parents[3] / "test-artifacts" / "consent-page.png"


class TestConsentPage:
    async def test_officer_creates_an_agreement_and_dry_runs_an_event(self, chromium, consent_url):
        """Sign in, create an agreement, see it listed, dry run and see the permitted fields."""
        page = await chromium.new_page()
        try:
            await page.goto(consent_url)
            await page.get_by_label("Access token").fill("dev-token-consent-officer")
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.locator("#who")).to_contain_text("consent-officer")

            form = page.get_by_role("region", name="New agreement")
            await form.get_by_label("Agreement id").fill("isa-attendance")
            await form.get_by_label("Title").fill("Attendance to the LA attendance service")
            await form.get_by_label("Provider", exact=True).select_option("kind:school")
            await form.get_by_label("Recipient", exact=True).select_option("agency:la-education")
            await page.locator("#a-event-types").select_option(["AttendanceMarked"])
            await form.get_by_label("Purpose").select_option("attendance-support")
            await form.get_by_label("Legal basis").select_option("public-task-ca2004-s16la")
            await form.get_by_label("Valid from").fill("2025-09-01")
            await form.get_by_label("operational", exact=True).check()
            await page.get_by_role("button", name="Save agreement").click()
            await expect(page.locator("#status")).to_contain_text("saved as version 1")
            row = page.locator('#agreements-table tr[data-agreement="isa-attendance"]')
            await expect(row).to_contain_text("active")
            await expect(row).to_contain_text("public-task-ca2004-s16la")

            dry_run = page.get_by_role("region", name="Dry run")
            await dry_run.get_by_label("Event type", exact=True).select_option("AttendanceMarked")
            await dry_run.get_by_label("Provider", exact=True).select_option("school-100001")
            await page.get_by_role("button", name="Run dry run").click()
            permitted = page.locator('#dry-run-table tr[data-recipient="la-education"]')
            await expect(permitted).to_contain_text("permit")
            await expect(permitted).to_contain_text("session_date")
            await expect(permitted).to_contain_text("isa-attendance v1")
            await expect(permitted).not_to_contain_text("register_code")
            denied = page.locator('#dry-run-table tr[data-recipient="police-west"]')
            await expect(denied).to_contain_text("deny")
            await expect(page.locator("#audit-section")).to_be_hidden()
            SCREENSHOT.parent.mkdir(exist_ok=True)
            await page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            await page.close()

    async def test_a_wrong_token_is_refused(self, chromium, consent_url):
        """An unknown token shows the reason and no agreements."""
        page = await chromium.new_page()
        try:
            await page.goto(consent_url)
            await page.get_by_label("Access token").fill("not-a-token")
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.locator("#problem")).to_contain_text("401")
            await expect(page.locator("#agreements-section")).to_be_hidden()
        finally:
            await page.close()
