"""`joinedup consent import-fhir` against the consent service on the real broker.

The service runs in this process under uvicorn, on topics unique to the test;
the command runs as its own process, as a consent officer would run it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from consent_running import OFFICER, joinedup, new_child_ref, records_on, topics_for
from rigs.serving import serving

from consent.domain import ConsentDirective, Period, RecordedBy
from consent.fhir import directive_to_fhir_r4, directive_to_fhir_r5
from schemas.schema_source import InMemorySchemaSource
from services.consent.bootstrap import ConsentOptions, build_consent_service

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Service:
    """The running consent service: its URL and its directives topic."""

    url: str
    directives_topic: str

    async def import_fhir(self, file: Path, *args: str) -> tuple[int, str, str]:
        return await joinedup("consent", "import-fhir", str(file), *args, "--url", self.url)

    async def directives(self, child_ref: str) -> list[dict]:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as http:
            answer = await http.get(f"/v1/children/{child_ref}/directives", headers=OFFICER)
        answer.raise_for_status()
        return answer.json()


@pytest.fixture
async def consent(bus_settings, unique_name) -> AsyncIterator[Service]:
    names = topics_for(unique_name)
    app = build_consent_service(bus_settings, InMemorySchemaSource(), ConsentOptions(topics=names))
    async with serving(app) as url:
        yield Service(url, names.directives)


def withdrawal(child_ref: str, directive_id: str = "dir-withdrawn") -> ConsentDirective:
    """Consent to early help withdrawn, recorded by the LA's social care yesterday."""
    now = datetime.now(UTC)
    return ConsentDirective(
        id=directive_id,
        child_ref=child_ref,
        kind="withdrawn",
        purpose="early-help",
        period=Period(start=now - timedelta(days=30)),
        recorded_by=RecordedBy(role="consent-officer", agency="la-social-care"),
        recorded_at=now - timedelta(days=1),
    )


def write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


class TestImportFhirCommand:
    async def test_dry_run_then_import_of_an_r4_bundle(self, bus_settings, consent, tmp_path):
        """A dry run records nothing; the import records each Consent for the child it names."""
        child = new_child_ref()
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"resource": directive_to_fhir_r4(withdrawal(child, f"dir-{n}"))} for n in (1, 2)
            ],
        }
        file = write(tmp_path / "consents.json", bundle)

        code, out, err = await consent.import_fhir(file, "--dry-run")
        assert code == 0, err
        assert out.splitlines() == [
            "dir-1: withdrawn, would be version 1",
            "dir-2: withdrawn, would be version 1",
            "dry run, nothing recorded: 2 directive(s) would be recorded",
        ]
        assert await records_on(bus_settings, consent.directives_topic) == 0

        code, out, err = await consent.import_fhir(file)
        assert code == 0, err
        assert out.splitlines()[-1] == "imported: 2 directive(s)"
        assert await records_on(bus_settings, consent.directives_topic) == 2
        assert [d["directive"]["id"] for d in await consent.directives(child)] == ["dir-1", "dir-2"]

    async def test_every_problem_is_one_line_and_nothing_is_recorded(
        self, bus_settings, consent, tmp_path
    ):
        """A deny-only-this-data research consent lists each problem and exits 1."""
        resource = directive_to_fhir_r5(withdrawal(new_child_ref()))
        resource["category"][1]["coding"][0]["code"] = "research"
        resource["provision"][0]["data"] = [
            {"meaning": "instance", "reference": {"reference": "DocumentReference/x"}}
        ]
        file = write(tmp_path / "research.json", resource)

        code, out, err = await consent.import_fhir(file)
        lines = err.strip().splitlines()
        assert (code, out) == (1, "")
        assert {line.split(": ", 1)[0] for line in lines[:-1]} == {
            "Consent.category[1].coding[0]",
            "Consent.category",
            "Consent.provision[0].data",
        }
        assert lines[-1] == "3 problem(s); nothing was imported"
        assert await records_on(bus_settings, consent.directives_topic) == 0

    async def test_no_consent_service_is_one_sentence(self, tmp_path):
        """A URL where no consent service answers exits 2 naming JOINEDUP_CONSENT_URL."""
        file = write(tmp_path / "c.json", directive_to_fhir_r5(withdrawal(new_child_ref())))
        code, _, err = await joinedup(
            "consent", "import-fhir", str(file), "--url", "http://127.0.0.1:1"
        )
        assert code == 2
        assert "JOINEDUP_CONSENT_URL (http://127.0.0.1:1) must point at a running" in err
        assert "Traceback" not in err
