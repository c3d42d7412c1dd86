"""The consent service on the real broker refuses malformed child_refs and future-dated
consents, and orders a child's directives by when it received them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from consent_running import AUDITOR, OFFICER, RunningService, new_child_ref, read_topic, topics_for

from consent.domain import ConsentDirective, Period, RecordedBy
from consent.fhir import directive_to_fhir_r4, directive_to_fhir_r5
from consent.fhir.terms import RECORDED_AT_EXTENSION
from schemas.child_ref import CHILD_REF_RULE
from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource

pytestmark = pytest.mark.integration

EARLY_HELP = {
    "id": "isa-early-help",
    "title": "School concerns to early help, with the family's consent",
    "provider": {"agency": "school-100001"},
    "recipient": {"agency": "la-social-care"},
    "event_types": ["ConcernRaised"],
    "data_classes": ["operational"],
    "purpose": "early-help",
    "legal_basis": "consent",
    "valid_from": "2025-09-01T00:00:00Z",
}


def directive(child_ref: str, directive_id: str, kind: str) -> ConsentDirective:
    """An early-help directive for the child, in force since last year."""
    now = datetime.now(UTC)
    return ConsentDirective(
        id=directive_id,
        child_ref=child_ref,
        kind=kind,
        purpose="early-help",
        period=Period(start=now - timedelta(days=365)),
        recorded_by=RecordedBy(role="consent-officer", agency="la-social-care"),
        recorded_at=now,
    )


def dated(resource: dict, moment: datetime) -> dict:
    """The exported Consent, claiming to have been recorded at `moment`."""
    for extension in resource["extension"]:
        if extension["url"] == RECORDED_AT_EXTENSION:
            extension["valueDateTime"] = moment.isoformat()
    return resource


class TestChildRefOnKafka:
    async def test_malformed_child_refs_are_422_and_publish_nothing(
        self, bus_settings, unique_name
    ):
        """Directive routes, the FHIR import and the audit search refuse what is not a child_ref."""
        names = topics_for(unique_name)
        source = InMemorySchemaSource()
        bad = "9434765919"  # a raw NHS number where a child_ref belongs
        resource = directive_to_fhir_r5(directive(new_child_ref(), "dir-x", "given"))
        resource["subject"]["identifier"]["value"] = bad
        body = {
            "kind": "withdrawn",
            "period": {"start": "2025-09-01T00:00:00Z"},
            "recorded_by": {"agency": "la-social-care"},
        }
        async with RunningService(bus_settings, source, names) as http:
            routed = await http.post(f"/v1/children/{bad}/directives", json=body, headers=OFFICER)
            searched = await http.get("/v1/audit", params={"child_ref": bad}, headers=AUDITOR)
            imported = await http.post(
                f"/v1/children/{new_child_ref()}/directives/fhir", json=resource, headers=OFFICER
            )
        for answer in (routed, searched):
            assert answer.status_code == 422
            assert (answer.json()["field"], answer.json()["rule"]) == ("child_ref", CHILD_REF_RULE)
        assert imported.status_code == 422
        assert imported.json()["field"] == "Consent.subject.identifier.value"
        assert imported.json()["rule"] == CHILD_REF_RULE
        assert await read_topic(bus_settings, names.directives, AvroCodec(source)) == []


class TestReceiptOrdersDirectives:
    async def test_a_future_dated_consent_is_refused(self, bus_settings, unique_name):
        """A document dated tomorrow is a 422 naming the element; nothing is published."""
        names = topics_for(unique_name)
        source = InMemorySchemaSource()
        child = new_child_ref()
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        resource = dated(directive_to_fhir_r4(directive(child, "dir-future", "given")), tomorrow)
        resource["dateTime"] = tomorrow.isoformat()
        async with RunningService(bus_settings, source, names) as http:
            answer = await http.post(
                f"/v1/children/{child}/directives/fhir?version=R4", json=resource, headers=OFFICER
            )
        fields = {problem["field"] for problem in answer.json()["problems"]}
        assert answer.status_code == 422
        assert fields == {"Consent.extension(recorded-at)", "Consent.dateTime"}
        assert await read_topic(bus_settings, names.directives, AvroCodec(source)) == []

    async def test_a_withdrawal_received_later_governs_a_consent_dated_later(
        self, bus_settings, unique_name
    ):
        """Consent claiming an hour ago, then a withdrawal claiming a week ago: withdrawn."""
        names = topics_for(unique_name)
        source = InMemorySchemaSource()
        child = new_child_ref()
        now = datetime.now(UTC).replace(microsecond=0)
        consent_stated = now - timedelta(hours=1)
        consent = dated(
            directive_to_fhir_r5(directive(child, "dir-consent", "given")), consent_stated
        )
        withdrawal = dated(
            directive_to_fhir_r5(directive(child, "dir-withdrawal", "withdrawn")),
            now - timedelta(days=7),
        )
        dry_run = {"event_type": "ConcernRaised", "provider": "school-100001", "child_ref": child}
        url = f"/v1/children/{child}/directives/fhir"
        async with RunningService(bus_settings, source, names) as http:
            assert (await http.post("/v1/agreements", json=EARLY_HELP, headers=OFFICER)).is_success
            assert (await http.post(url, json=consent, headers=OFFICER)).status_code == 201
            given = await http.post("/v1/dry-run", json=dry_run, headers=OFFICER)
            assert (await http.post(url, json=withdrawal, headers=OFFICER)).status_code == 201
            withdrawn = await http.post("/v1/dry-run", json=dry_run, headers=OFFICER)

        def social_care(answer):
            return next(d for d in answer.json()["decisions"] if d["recipient"] == "la-social-care")

        assert social_care(given)["decision"] == "permit"
        assert social_care(withdrawn)["reason"] == "consent-withdrawn"
        assert "dir-withdrawal" in social_care(withdrawn)["detail"]
        records = await read_topic(bus_settings, names.directives, AvroCodec(source))
        assert [r["directive_id"] for _, _, r in records] == ["dir-consent", "dir-withdrawal"]
        assert records[0][2]["stated_at"] == consent_stated
