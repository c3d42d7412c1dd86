"""A consent officer drives the page in headless Chromium against the running service."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SCREENSHOT = Path(__file__).resolve().parents[3] / "test-artifacts" / "consent-page.png"


class TestConsentPage:
    def test_officer_creates_an_agreement_and_dry_runs_an_event(self, chromium, consent_url):
        """Sign in, create an agreement, see it listed, dry run and see the permitted fields."""
        page = chromium.new_page()
        try:
            page.goto(consent_url)
            page.get_by_label("Access token").fill("dev-token-consent-officer")
            page.get_by_role("button", name="Sign in").click()
            expect(page.locator("#who")).to_contain_text("consent-officer")

            form = page.get_by_role("region", name="New agreement")
            form.get_by_label("Agreement id").fill("isa-attendance")
            form.get_by_label("Title").fill("Attendance to the LA attendance service")
            form.get_by_label("Provider", exact=True).select_option("kind:school")
            form.get_by_label("Recipient", exact=True).select_option("agency:la-education")
            page.locator("#a-event-types").select_option(["AttendanceMarked"])
            form.get_by_label("Purpose").select_option("attendance-support")
            form.get_by_label("Legal basis").select_option("public-task-ca2004-s16la")
            form.get_by_label("Valid from").fill("2025-09-01")
            form.get_by_label("operational", exact=True).check()
            page.get_by_role("button", name="Save agreement").click()
            expect(page.locator("#status")).to_contain_text("saved as version 1")
            row = page.locator('#agreements-table tr[data-agreement="isa-attendance"]')
            expect(row).to_contain_text("active")
            expect(row).to_contain_text("public-task-ca2004-s16la")

            dry_run = page.get_by_role("region", name="Dry run")
            dry_run.get_by_label("Event type", exact=True).select_option("AttendanceMarked")
            dry_run.get_by_label("Provider", exact=True).select_option("school-100001")
            page.get_by_role("button", name="Run dry run").click()
            permitted = page.locator('#dry-run-table tr[data-recipient="la-education"]')
            expect(permitted).to_contain_text("permit")
            expect(permitted).to_contain_text("session_date")
            expect(permitted).to_contain_text("isa-attendance v1")
            expect(permitted).not_to_contain_text("register_code")
            denied = page.locator('#dry-run-table tr[data-recipient="police-west"]')
            expect(denied).to_contain_text("deny")
            expect(page.locator("#audit-section")).to_be_hidden()
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            page.close()

    def test_a_wrong_token_is_refused(self, chromium, consent_url):
        """An unknown token shows the reason and no agreements."""
        page = chromium.new_page()
        try:
            page.goto(consent_url)
            page.get_by_label("Access token").fill("not-a-token")
            page.get_by_role("button", name="Sign in").click()
            expect(page.locator("#problem")).to_contain_text("401")
            expect(page.locator("#agreements-section")).to_be_hidden()
        finally:
            page.close()
