"""`joinedup consent load` against the consent service on the real broker.

The service runs in this process under uvicorn, on topics unique to the test;
the command runs as its own process, as a consent officer would run it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from consent_running import OFFICER, joinedup, records_on
from rigs.serving import serving

from schemas.schema_source import InMemorySchemaSource
from services.config.files import agreement_templates
from services.consent.adapters.agreement_files import read_agreement_files
from services.consent.adapters.topics import ConsentTopics
from services.consent.bootstrap import ConsentOptions, build_consent_service

pytestmark = pytest.mark.integration

TEMPLATES = agreement_templates()[0].parent
TEMPLATE_COUNT = len(read_agreement_files([TEMPLATES]).drafts)


class Service:
    """The running consent service: its URL and its agreements topic."""

    def __init__(self, url: str, agreements_topic: str) -> None:
        self.url = url
        self.agreements_topic = agreements_topic

    async def load(self, *args: str | Path) -> tuple[int, str, str]:
        return await joinedup("consent", "load", *map(str, args), "--url", self.url)

    async def versions(self, agreement_id: str) -> list[int]:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            answer = await http.get(
                f"/v1/agreements/{agreement_id}/versions",
                headers=OFFICER,
            )
        answer.raise_for_status()
        return [agreement["version"] for agreement in answer.json()]


@pytest.fixture
async def consent(bus_settings, unique_name) -> AsyncIterator[Service]:
    names = ConsentTopics(
        agreements=unique_name("consent-agreements"),
        directives=unique_name("consent-directives"),
        audit=unique_name("audit"),
        reviews=unique_name("audit-reviews"),
    )
    app = build_consent_service(bus_settings, InMemorySchemaSource(), ConsentOptions(topics=names))
    async with serving(app) as url:
        yield Service(url, names.agreements)


class TestConsentLoad:
    async def test_templates_dry_run_then_load_then_unchanged(self, bus_settings, consent):
        """A dry run publishes nothing; the load creates every template; a reload changes none."""
        code, out, err = await consent.load(TEMPLATES, "--dry-run")
        assert code == 0, err
        assert out.count(": new (version 1)") == TEMPLATE_COUNT
        assert f"dry run, nothing changed: {TEMPLATE_COUNT} new, 0 new version(s)" in out
        assert await records_on(bus_settings, consent.agreements_topic) == 0

        code, out, err = await consent.load(TEMPLATES)
        assert code == 0, err
        assert f"loaded: {TEMPLATE_COUNT} new, 0 new version(s), 0 unchanged" in out
        assert await records_on(bus_settings, consent.agreements_topic) == TEMPLATE_COUNT
        assert await consent.versions("isa-operation-encompass") == [1]

        code, out, err = await consent.load(TEMPLATES)
        assert code == 0, err
        assert f"loaded: 0 new, 0 new version(s), {TEMPLATE_COUNT} unchanged" in out
        assert await records_on(bus_settings, consent.agreements_topic) == TEMPLATE_COUNT

    async def test_an_edited_file_publishes_one_new_version(self, bus_settings, consent, tmp_path):
        """Editing one field of one agreement gives one new version, naming that field."""
        assert (await consent.load(TEMPLATES))[0] == 0
        folder = tmp_path / "agreements"
        code, _, err = await joinedup("consent", "templates", str(folder))
        assert code == 0, err
        edited = folder / "operation-encompass.yaml"
        text = edited.read_text(encoding="utf-8")
        edited.write_text(
            text.replace(
                "data_classes: [operational, special-category]",
                ("data_classes: [operational, special-category, contact]"),
            )
        )

        code, out, err = await consent.load(folder, "--dry-run")
        assert code == 0, err
        assert "isa-operation-encompass: new version 2 (data_classes differ)" in out
        assert await records_on(bus_settings, consent.agreements_topic) == TEMPLATE_COUNT

        code, out, err = await consent.load(folder)
        assert code == 0, err
        assert "isa-operation-encompass: new version 2 (data_classes differ)" in out
        assert f"loaded: 0 new, 1 new version(s), {TEMPLATE_COUNT - 1} unchanged" in out
        assert await consent.versions("isa-operation-encompass") == [1, 2]
        assert await records_on(bus_settings, consent.agreements_topic) == TEMPLATE_COUNT + 1

    async def test_a_file_failing_validation_lists_each_problem(
        self, bus_settings, consent, tmp_path
    ):
        """Each problem is one line naming the agreement and the field; nothing is published."""
        bad = tmp_path / "bad.yaml"
        bad.write_text(
            "agreements:\n"
            "  - {id: isa-a, title: A, provider: {kind: school}, recipient: {kind: police},\n"
            "     event_types: [AttendanceMarked], purpose: gossip, legal_basis: consent,\n"
            "     valid_from: '2025-09-01T00:00:00+00:00'}\n"
            "  - {id: isa-b, title: B, provider: {kind: school}, recipient: {agency: la-nowhere},\n"
            "     event_types: [AttendanceMarked], purpose: safeguarding, legal_basis: consent,\n"
            "     valid_from: '2025-09-01T00:00:00+00:00'}\n"
        )
        code, out, err = await consent.load(bad)
        assert code == 1
        assert out == ""
        lines = err.strip().splitlines()
        assert lines[0].startswith("isa-a: purpose: ")
        assert lines[1].startswith("isa-b: recipient.agency: ")
        assert lines[-1] == "2 problem(s); nothing was changed"
        assert await records_on(bus_settings, consent.agreements_topic) == 0

    async def test_no_consent_service_is_one_sentence(self):
        """A URL where no consent service answers exits 2 naming JOINEDUP_CONSENT_URL."""
        code, _, err = await joinedup(
            "consent", "load", str(TEMPLATES), "--url", "http://127.0.0.1:1", "--dry-run"
        )
        assert code == 2
        assert "JOINEDUP_CONSENT_URL (http://127.0.0.1:1) must point at a running" in err
        assert "Traceback" not in err
