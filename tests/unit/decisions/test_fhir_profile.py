"""The import refuses what it cannot honour, listing every problem at once (docs/fhir.md)."""

from datetime import timedelta

import consent_examples as ex
import pytest

from consent.fhir import (
    FhirImportError,
    directive_from_fhir_r4,
    directive_from_fhir_r5,
    directive_to_fhir_r4,
    directive_to_fhir_r5,
)
from consent.fhir.terms import ACTION_SYSTEM, LOINC_SYSTEM, SCOPE_SYSTEM

RECEIVED = ex.AT + timedelta(hours=2)
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


def objection_r4():
    """An objection to sharing with the health trust, as the project exports it (R4)."""
    return directive_to_fhir_r4(
        ex.withdrawal(kind="objection", recipient={"agency": "health-trust"})
    )


def objection_r5():
    """The same objection as FHIR R5."""
    return directive_to_fhir_r5(
        ex.withdrawal(kind="objection", recipient={"agency": "health-trust"})
    )


def problems_of(read, resource):
    """The (path, rule) pairs an import refuses `resource` with."""
    with pytest.raises(FhirImportError) as caught:
        read(resource, received_at=RECEIVED)
    return {problem.path: problem.rule for problem in caught.value.problems}


def r4(resource):
    return problems_of(directive_from_fhir_r4, resource)


def r5(resource):
    return problems_of(directive_from_fhir_r5, resource)


class TestNarrowingIsRefused:
    def test_deny_only_this_data_is_not_a_blanket_objection(self):
        """A deny limited to one document is refused, never stored as an objection to all."""
        resource = objection_r4()
        resource["provision"]["data"] = [
            {"meaning": "instance", "reference": {"reference": "DocumentReference/sexual-health"}}
        ]
        found = r4(resource)
        assert list(found) == ["Consent.provision.data"]
        assert "cannot be honoured" in found["Consent.provision.data"]

    @pytest.mark.parametrize(
        ("element", "value"),
        [
            ("securityLabel", [{"system": V3_ACT_CODE, "code": "PSY"}]),
            ("class", [{"system": "http://hl7.org/fhir/resource-types", "code": "Observation"}]),
            ("code", [{"coding": [{"system": LOINC_SYSTEM, "code": "30954-2"}]}]),
            ("dataPeriod", {"start": "2025-01-01T00:00:00+00:00"}),
        ],
    )
    def test_r4_provision_elements_that_narrow_are_refused(self, element, value):
        """Each R4 provision element that limits the data covered is named and refused."""
        resource = objection_r4()
        resource["provision"][element] = value
        assert list(r4(resource)) == [f"Consent.provision.{element}"]

    @pytest.mark.parametrize(
        ("element", "value"),
        [
            ("documentType", [{"system": LOINC_SYSTEM, "code": "34133-9"}]),
            ("resourceType", [{"system": "http://hl7.org/fhir/fhir-types", "code": "Observation"}]),
            ("expression", {"language": "text/fhirpath", "expression": "Observation"}),
            ("period", {"start": "2025-01-01T00:00:00+00:00"}),
        ],
    )
    def test_r5_provision_elements_that_narrow_are_refused(self, element, value):
        """Each R5 provision element the directive cannot hold is named and refused."""
        resource = objection_r5()
        resource["provision"][0][element] = value
        assert list(r5(resource)) == [f"Consent.provision[0].{element}"]

    def test_an_action_other_than_disclosure_is_refused(self):
        """A consent to collect (not to disclose) does not become consent to share."""
        resource = directive_to_fhir_r4(ex.withdrawal(kind="given", purpose="early-help"))
        resource["provision"]["action"] = [
            {"coding": [{"system": ACTION_SYSTEM, "code": "collect"}]}
        ]
        assert list(r4(resource)) == ["Consent.provision.action"]

    def test_an_action_list_with_disclosure_is_honoured(self):
        """Disclosure among the actions is what the bus does: the consent is imported."""
        resource = directive_to_fhir_r4(ex.withdrawal(kind="given", purpose="early-help"))
        codes = ("access", "disclose")
        resource["provision"]["action"] = [
            {"coding": [{"system": ACTION_SYSTEM, "code": code}]} for code in codes
        ]
        assert directive_from_fhir_r4(resource, received_at=RECEIVED).kind == "given"

    def test_a_grantee_is_refused_in_r5(self):
        """Whom an R5 consent is for must be the provision's actor, not Consent.grantee."""
        resource = objection_r5()
        resource["grantee"] = [{"identifier": {"system": "urn:x", "value": "y"}}]
        assert list(r5(resource)) == ["Consent.grantee"]

    def test_modifier_extensions_and_implicit_rules_are_refused(self):
        """Elements that change what the consent means are refused wherever they appear."""
        modifier = [{"url": "https://example.org/negate", "valueBoolean": True}]
        resource = objection_r4()
        resource["modifierExtension"] = modifier
        resource["implicitRules"] = "https://example.org/rules"
        resource["provision"]["modifierExtension"] = modifier
        resource["provision"]["actor"][0]["modifierExtension"] = modifier
        assert set(r4(resource)) == {
            "Consent.modifierExtension",
            "Consent.implicitRules",
            "Consent.provision.modifierExtension",
            "Consent.provision.actor[0].modifierExtension",
        }

    def test_elements_that_describe_the_document_are_accepted(self):
        """Narrative, signer, policy rule and others' extensions change nothing: accepted."""
        resource = objection_r4()
        resource["text"] = {
            "status": "generated",
            "div": '<div xmlns="http://www.w3.org/1999/xhtml">x</div>',
        }
        resource["performer"] = [{"display": "parent"}]
        resource["policyRule"] = {"coding": [{"system": V3_ACT_CODE, "code": "OPTIN"}]}
        resource["extension"].append({"url": "https://example.org/batch", "valueString": "7"})
        assert directive_from_fhir_r4(resource, received_at=RECEIVED).kind == "objection"


class TestOnlyPrivacyConsents:
    @pytest.mark.parametrize("scope", ["treatment", "research", "adr"])
    def test_r4_scope_other_than_privacy_is_refused(self, scope):
        """A treatment, research or advance-directive consent never becomes a directive."""
        resource = objection_r4()
        resource["scope"]["coding"][0]["code"] = scope
        found = r4(resource)
        assert list(found) == ["Consent.scope"]
        assert "not a privacy consent" in found["Consent.scope"]

    def test_r5_research_category_is_refused(self):
        """An R5 consent categorised as research is refused, naming the coding."""
        resource = objection_r5()
        resource["category"].append({"coding": [{"system": SCOPE_SYSTEM, "code": "research"}]})
        assert "Consent.category[2].coding[0]" in r5(resource)

    def test_r5_must_say_it_is_a_privacy_consent(self):
        """A bare 'consent document' category does not say what the R5 consent is about."""
        resource = objection_r5()
        resource["category"] = [{"coding": [{"system": LOINC_SYSTEM, "code": "59284-0"}]}]
        assert list(r5(resource)) == ["Consent.category"]

    def test_unknown_category_codes_are_refused(self):
        """A category code the profile does not know is refused rather than guessed at."""
        resource = objection_r4()
        resource["category"] = [{"coding": [{"system": V3_ACT_CODE, "code": "IDSCL"}]}]
        assert list(r4(resource)) == ["Consent.category[0].coding[0]"]


class TestEveryProblemAtOnce:
    def test_a_consent_shaped_like_the_published_r4_examples_lists_all_problems(self):
        """A consent in the R4 examples' style gets one error naming each element at fault."""
        resource = {
            "resourceType": "Consent",
            "id": "consent-example-style",
            "status": "active",
            "scope": {"coding": [{"system": SCOPE_SYSTEM, "code": "patient-privacy"}]},
            "category": [{"coding": [{"system": LOINC_SYSTEM, "code": "59284-0"}]}],
            "patient": {"reference": "Patient/f001"},
            "dateTime": "2018-12-28",
            "organization": [{"reference": "Organization/f001"}],
            "policyRule": {"coding": [{"system": V3_ACT_CODE, "code": "OPTIN"}]},
            "provision": {
                "type": "deny",
                "period": {"start": "1964-01-01", "end": "2016-01-01"},
                "actor": [
                    {
                        "role": {"coding": [{"system": V3_ACT_CODE, "code": "PRCP"}]},
                        "reference": {"reference": "Practitioner/f002"},
                    }
                ],
                "purpose": [{"system": V3_ACT_CODE, "code": "TREAT"}],
                "class": [{"system": "http://hl7.org/fhir/resource-types", "code": "Observation"}],
            },
        }
        assert set(r4(resource)) == {
            "Consent.patient.identifier",
            "Consent.organization[0].identifier",
            "Consent.provision.period.start",
            "Consent.provision.period.end",
            "Consent.provision.actor[0].role",
            "Consent.provision.actor[0].reference.identifier",
            "Consent.provision.purpose[0]",
            "Consent.provision.class",
            "Consent.extension",
        }

    def test_the_message_is_one_line_per_problem(self):
        """The error text lists each problem on a line of its own: element, then rule."""
        resource = objection_r4()
        resource["scope"]["coding"][0]["code"] = "research"
        resource["provision"]["dataPeriod"] = {"start": "2025-01-01T00:00:00+00:00"}
        with pytest.raises(FhirImportError) as caught:
            directive_from_fhir_r4(resource, received_at=RECEIVED)
        lines = str(caught.value).splitlines()
        assert len(lines) == 2
        assert {line.split(": ", 1)[0] for line in lines} == {
            "Consent.scope",
            "Consent.provision.dataPeriod",
        }
