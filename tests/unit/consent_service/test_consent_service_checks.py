from datetime import timedelta

from consent_service_fakes import (
    AUDITOR,
    CHILD,
    NOW,
    OFFICER,
    OTHER_CHILD,
    FakePublisher,
    bearer,
    client,
    directive_body,
    service,
)

from consent.domain import ConsentDirective, Period, RecordedBy
from consent.fhir import directive_to_fhir_r4, directive_to_fhir_r5
from schemas.child_ref import CHILD_REF_RULE

# What a spreadsheet formula, a raw NHS number and free text look like in a URL.
NOT_CHILD_REFS = ["=HYPERLINK(1)", "9434765919", "c-1", "CR1_" + "A" * 32]


def consent_given(child_ref: str = CHILD, **overrides) -> ConsentDirective:
    """Consent given for early help, recorded the day before NOW."""
    values = {
        "id": "dir-fhir",
        "child_ref": child_ref,
        "kind": "given",
        "purpose": "early-help",
        "period": Period(start=NOW - timedelta(days=30)),
        "recorded_by": RecordedBy(role="consent-officer", agency="la-social-care"),
        "recorded_at": NOW - timedelta(days=1),
    }
    values.update(overrides)
    return ConsentDirective(**values)


class TestChildRefIsChecked:
    async def test_every_directive_route_refuses_a_malformed_child_ref(self):
        """List, record, export and import answer 422 naming child_ref and its rule."""
        publisher = FakePublisher()
        async with client(service(publisher)) as http:
            for ref in NOT_CHILD_REFS:
                base = f"/v1/children/{ref}/directives"
                answers = [
                    await http.get(base, headers=bearer(OFFICER)),
                    await http.post(base, json=directive_body(), headers=bearer(OFFICER)),
                    await http.get(f"{base}/fhir", headers=bearer(OFFICER)),
                    await http.post(
                        f"{base}/fhir",
                        json=directive_to_fhir_r5(consent_given()),
                        headers=bearer(OFFICER),
                    ),
                ]
                for answer in answers:
                    assert answer.status_code == 422, ref
                    assert (answer.json()["field"], answer.json()["rule"]) == (
                        "child_ref",
                        CHILD_REF_RULE,
                    )
        assert publisher.directives == []

    async def test_a_fhir_subject_that_is_not_a_child_ref_is_refused(self):
        """The Consent's subject identifier must be a child_ref; the element is named."""
        resource = directive_to_fhir_r5(consent_given())
        resource["subject"]["identifier"]["value"] = "=1+1"
        async with client(service()) as http:
            answer = await http.post(
                f"/v1/children/{CHILD}/directives/fhir", json=resource, headers=bearer(OFFICER)
            )
        assert answer.status_code == 422
        assert answer.json()["field"] == "Consent.subject.identifier.value"
        assert answer.json()["rule"] == CHILD_REF_RULE

    async def test_the_audit_search_refuses_a_malformed_child_ref(self):
        """An audit search by something that is not a child_ref is a 422; the index is not read
        (this client's index has no database: reading it would be a 503)."""
        async with client(service()) as http:
            for ref in NOT_CHILD_REFS:
                for path in ("/v1/audit", "/v1/audit/decisions"):
                    answer = await http.get(
                        path, params={"child_ref": ref}, headers=bearer(AUDITOR)
                    )
                    assert answer.status_code == 422
                    assert (answer.json()["field"], answer.json()["rule"]) == (
                        "child_ref",
                        CHILD_REF_RULE,
                    )
                report = await http.get(f"/v1/audit/children/{ref}/report", headers=bearer(AUDITOR))
                assert (report.status_code, report.json()["field"]) == (422, "child_ref")


class TestFhirImportRoute:
    async def test_every_problem_is_listed_in_one_answer(self):
        """A treatment consent limited to some data gets one 422 listing each problem."""
        resource = directive_to_fhir_r4(consent_given())
        resource["scope"]["coding"][0]["code"] = "treatment"
        resource["provision"]["data"] = [
            {"meaning": "instance", "reference": {"reference": "DocumentReference/x"}}
        ]
        resource["provision"]["securityLabel"] = [
            {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "PSY"}
        ]
        publisher = FakePublisher()
        async with client(service(publisher)) as http:
            answer = await http.post(
                f"/v1/children/{CHILD}/directives/fhir?version=R4",
                json=resource,
                headers=bearer(OFFICER),
            )
        fields = [problem["field"] for problem in answer.json()["problems"]]
        assert answer.status_code == 422
        assert sorted(fields) == [
            "Consent.provision.data",
            "Consent.provision.securityLabel",
            "Consent.scope",
        ]
        assert publisher.directives == []

    async def test_a_dry_run_records_nothing_and_says_what_would_be(self):
        """dry_run=true answers 200 with the versions it would record and publishes nothing."""
        publisher = FakePublisher()
        consent = service(publisher)
        async with client(consent) as http:
            answer = await http.post(
                f"/v1/children/{CHILD}/directives/fhir",
                params={"dry_run": "true"},
                json=directive_to_fhir_r5(consent_given()),
                headers=bearer(OFFICER),
            )
        assert answer.status_code == 200
        assert [(d["version"], d["directive"]["id"]) for d in answer.json()] == [(1, "dir-fhir")]
        assert publisher.directives == []
        assert consent.state.directives_of(CHILD) == []

    async def test_a_consent_about_another_child_is_refused(self):
        """A Consent whose subject is not the child in the URL is refused, naming its subject."""
        publisher = FakePublisher()
        async with client(service(publisher)) as http:
            answer = await http.post(
                f"/v1/children/{CHILD}/directives/fhir",
                json=directive_to_fhir_r5(consent_given(OTHER_CHILD)),
                headers=bearer(OFFICER),
            )
        assert (answer.status_code, answer.json()["field"]) == (422, "Consent.subject")
        assert publisher.directives == []

    async def test_a_directive_body_may_not_set_its_own_recorded_at(self):
        """The directive route takes no recorded_at: the service's clock stamps it."""
        body = directive_body(recorded_at=(NOW + timedelta(days=365)).isoformat())
        async with client(service()) as http:
            answer = await http.post(
                f"/v1/children/{CHILD}/directives", json=body, headers=bearer(OFFICER)
            )
        assert (answer.status_code, answer.json()["field"]) == (422, "recorded_at")
