"""ConsentDirective <-> HL7 FHIR Consent (R5, and R4 validated with the R4B models)."""

from consent.fhir.bundle import FhirVersion, directives_from_fhir
from consent.fhir.exceptions import FhirImportError, Problem
from consent.fhir.export import directive_to_fhir_r4, directive_to_fhir_r5
from consent.fhir.importing import directive_from_fhir_r4, directive_from_fhir_r5

__all__ = [
    "FhirImportError",
    "FhirVersion",
    "Problem",
    "directive_from_fhir_r4",
    "directive_from_fhir_r5",
    "directive_to_fhir_r4",
    "directive_to_fhir_r5",
    "directives_from_fhir",
]
