import json
from datetime import timedelta

import consent_examples as ex
import pytest

from consent.exceptions import FhirMappingError
from consent.fhir import (
    directive_from_fhir_r4,
    directive_from_fhir_r5,
    directive_to_fhir_r4,
    directive_to_fhir_r5,
)
from consent.fhir.terms import CHILD_REF_SYSTEM, NHS_NUMBER_SYSTEM

DIRECTIVES = [
    ex.withdrawal(),
    ex.withdrawal(kind="given", purpose="early-help", note="Parent agreed at the TAF meeting"),
    ex.withdrawal(
        kind="objection",
        recipient={"agency": "health-trust"},
        period={"start": ex.AT, "end": ex.AT + timedelta(days=30)},
    ),
    ex.withdrawal(recipient={"kind": "school"}, purpose="attendance-support"),
]
# When the consent service receives the exported documents back: after they were recorded.
RECEIVED = ex.AT + timedelta(hours=2)


def received(directive):
    """The directive as an import at RECEIVED gives it: received then, its own time as stated."""
    return directive.model_copy(
        update={"recorded_at": RECEIVED, "stated_at": directive.stated_at or directive.recorded_at}
    )


class TestDirectiveToFhir:
    def test_kinds_map_to_status_and_decision(self):
        """given/withdrawn/objection become active-permit, inactive-permit, active-deny."""
        pairs = {
            kind: directive_to_fhir_r5(ex.withdrawal(kind=kind))
            for kind in ("given", "withdrawn", "objection")
        }
        assert (pairs["given"]["status"], pairs["given"]["decision"]) == ("active", "permit")
        assert (pairs["withdrawn"]["status"], pairs["withdrawn"]["decision"]) == (
            "inactive",
            "permit",
        )
        assert (pairs["objection"]["status"], pairs["objection"]["decision"]) == ("active", "deny")

    def test_subject_is_the_pseudonymous_child_ref(self):
        """The subject is identified by child_ref under the project's system."""
        resource = directive_to_fhir_r5(ex.withdrawal())
        assert resource["subject"]["identifier"] == {"system": CHILD_REF_SYSTEM, "value": ex.CHILD}

    def test_r4_puts_type_and_period_on_the_provision(self):
        """R4 carries permit/deny and the period on Consent.provision."""
        resource = directive_to_fhir_r4(DIRECTIVES[2])
        assert resource["provision"]["type"] == "deny"
        assert resource["provision"]["period"]["end"].startswith("2026-04-01")

    @pytest.mark.parametrize("directive", DIRECTIVES, ids=lambda d: f"{d.kind}-{d.purpose}")
    def test_r5_round_trip(self, directive):
        """Export then import through JSON gives the same directive, received anew (R5)."""
        text = json.dumps(directive_to_fhir_r5(directive))
        assert directive_from_fhir_r5(text, received_at=RECEIVED) == received(directive)

    @pytest.mark.parametrize("directive", DIRECTIVES, ids=lambda d: f"{d.kind}-{d.purpose}")
    def test_r4_round_trip(self, directive):
        """Export then import gives the same directive, received anew (R4)."""
        imported = directive_from_fhir_r4(directive_to_fhir_r4(directive), received_at=RECEIVED)
        assert imported == received(directive)

    @pytest.mark.parametrize("export", [directive_to_fhir_r5, directive_to_fhir_r4])
    def test_a_stated_time_survives_a_second_round_trip(self, export):
        """A directive imported once keeps the time its document stated through another trip."""
        once = received(ex.withdrawal())
        back = directive_from_fhir_r5 if export is directive_to_fhir_r5 else directive_from_fhir_r4
        later = RECEIVED + timedelta(days=1)
        again = back(export(once), received_at=later)
        assert again == once.model_copy(update={"recorded_at": later})


class TestDirectiveFromFhir:
    def exported(self):
        return directive_to_fhir_r5(ex.withdrawal(purpose="early-help"))

    def test_nhs_number_subject_is_refused(self):
        """A subject identified by NHS number is refused, naming the field."""
        resource = self.exported()
        resource["subject"]["identifier"] = {"system": NHS_NUMBER_SYSTEM, "value": "9434765919"}
        with pytest.raises(FhirMappingError, match=r"Consent\.subject\.identifier\.system.*NHS"):
            directive_from_fhir_r5(resource, received_at=RECEIVED)

    def test_structural_error_names_the_element(self):
        """A malformed period start is reported with its path."""
        resource = self.exported()
        resource["period"]["start"] = "yesterday"
        with pytest.raises(FhirMappingError, match=r"Consent\.period\.start"):
            directive_from_fhir_r5(resource, received_at=RECEIVED)

    def test_partial_date_is_refused(self):
        """A date-only period start is not a full date-time."""
        resource = self.exported()
        resource["period"]["start"] = "2026-01-01"
        with pytest.raises(FhirMappingError, match=r"Consent\.period\.start.*full date-time"):
            directive_from_fhir_r5(resource, received_at=RECEIVED)

    def test_unsupported_status_is_refused(self):
        """Only active and inactive consents map to directives."""
        resource = self.exported()
        resource["status"] = "draft"
        with pytest.raises(FhirMappingError, match=r"Consent\.status"):
            directive_from_fhir_r5(resource, received_at=RECEIVED)

    def test_unknown_purpose_is_refused(self):
        """A purpose outside the code list names the directive field."""
        resource = self.exported()
        resource["provision"][0]["purpose"][0]["code"] = "marketing"
        with pytest.raises(FhirMappingError, match="purpose"):
            directive_from_fhir_r5(resource, received_at=RECEIVED)

    def test_nested_provisions_are_refused(self):
        """Nested provisions are not silently ignored."""
        resource = self.exported()
        resource["provision"][0]["provision"] = [{"purpose": resource["provision"][0]["purpose"]}]
        with pytest.raises(FhirMappingError, match=r"Consent\.provision\[0\]\.provision"):
            directive_from_fhir_r5(resource, received_at=RECEIVED)

    def test_other_resource_type_is_refused(self):
        """A Patient is not a Consent."""
        with pytest.raises(FhirMappingError, match="resourceType"):
            directive_from_fhir_r5({"resourceType": "Patient"}, received_at=RECEIVED)

    def test_missing_recorder_is_refused(self):
        """A consent without the recording agency names Consent.manager."""
        resource = self.exported()
        del resource["manager"]
        with pytest.raises(FhirMappingError, match=r"Consent\.manager\[0\]"):
            directive_from_fhir_r5(resource, received_at=RECEIVED)

    def test_not_json_is_refused(self):
        """Text that is not JSON is a clear error."""
        with pytest.raises(FhirMappingError, match="not JSON"):
            directive_from_fhir_r5("{", received_at=RECEIVED)
