"""How `joinedup consent import-fhir` reads a file before it calls the consent service."""

from consent.fhir.terms import CHILD_REF_SYSTEM
from services.cli.consent_fhir import children_of, fhir_version_of

CHILD = "cr1_" + "c" * 32
OTHER = "cr1_" + "d" * 32


def r5(child_ref: str) -> dict:
    return {
        "resourceType": "Consent",
        "subject": {"identifier": {"system": CHILD_REF_SYSTEM, "value": child_ref}},
    }


def r4(child_ref: str) -> dict:
    return {
        "resourceType": "Consent",
        "scope": {},
        "patient": {"identifier": {"system": CHILD_REF_SYSTEM, "value": child_ref}},
    }


def bundle(*resources: dict) -> dict:
    return {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}


class TestReadingTheFile:
    def test_r4_only_elements_make_it_r4(self):
        """A Consent with scope or patient is R4; one without is R5."""
        assert (fhir_version_of(r4(CHILD)), fhir_version_of(r5(CHILD))) == ("R4", "R5")
        assert fhir_version_of(bundle(r5(CHILD), r4(CHILD))) == "R4"

    def test_the_child_is_the_child_ref_the_consents_name(self):
        """The subject (R5) or patient (R4) child_ref identifiers name the child."""
        assert children_of(bundle(r5(CHILD), r5(CHILD)), "R5") == {CHILD}
        assert children_of(r4(CHILD), "R4") == {CHILD}

    def test_two_children_or_none_are_both_seen(self):
        """A file about two children, or naming none by child_ref, is not one child."""
        assert children_of(bundle(r5(CHILD), r5(OTHER)), "R5") == {CHILD, OTHER}
        nhs = {"resourceType": "Consent", "subject": {"identifier": {"system": "x", "value": "1"}}}
        assert children_of(nhs, "R5") == set()
