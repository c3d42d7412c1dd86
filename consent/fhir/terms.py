"""The URIs and codings the FHIR mapping uses: the project's own, and HL7's.

The project's identifier systems and extensions live under one base URI
(the namespace of the event schemas, uk.joinedup). The subject of a Consent
is always the pseudonymous `child_ref`, never an NHS number: raw
identifiers stop at ingest (DESIGN.md, decision 4).
"""

from __future__ import annotations

from typing import Any, Final

PROJECT_BASE: Final = "https://fhir.joinedup.uk"
CHILD_REF_SYSTEM: Final = f"{PROJECT_BASE}/sid/child-ref"
DIRECTIVE_ID_SYSTEM: Final = f"{PROJECT_BASE}/sid/consent-directive"
AGENCY_SYSTEM: Final = f"{PROJECT_BASE}/sid/agency"
AGENCY_KIND_SYSTEM: Final = f"{PROJECT_BASE}/sid/agency-kind"
PURPOSE_SYSTEM: Final = f"{PROJECT_BASE}/CodeSystem/sharing-purpose"
RECORDED_BY_ROLE_EXTENSION: Final = f"{PROJECT_BASE}/StructureDefinition/recorded-by-role"
RECORDED_AT_EXTENSION: Final = f"{PROJECT_BASE}/StructureDefinition/recorded-at"
NOTE_EXTENSION: Final = f"{PROJECT_BASE}/StructureDefinition/directive-note"

# NHS England's NHS number identifier system: refused as a Consent subject.
NHS_NUMBER_SYSTEM: Final = "https://fhir.nhs.uk/Id/nhs-number"

# HL7 v3 ParticipationType IRCP "information recipient": the actor a
# provision lets (or forbids to) receive information.
# Source: https://terminology.hl7.org/CodeSystem-v3-ParticipationType.html
PARTICIPATION_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
RECIPIENT_ROLE: Final = "IRCP"

# FHIR R4 requires Consent.scope and .category. Sources:
# https://hl7.org/fhir/R4/valueset-consent-scope.html (patient-privacy) and
# https://hl7.org/fhir/R4/valueset-consent-category.html (LOINC 59284-0).
SCOPE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/consentscope"
PRIVACY_SCOPE: Final = "patient-privacy"
LOINC_SYSTEM: Final = "http://loinc.org"
CONSENT_DOCUMENT: Final = "59284-0"


def identifier_reference(system: str, value: str) -> dict[str, Any]:
    """A FHIR Reference by logical identifier."""
    return {"identifier": {"system": system, "value": value}}


def recipient_role() -> dict[str, Any]:
    """The CodeableConcept for an information recipient."""
    return {
        "coding": [
            {
                "system": PARTICIPATION_SYSTEM,
                "code": RECIPIENT_ROLE,
                "display": "information recipient",
            }
        ]
    }


def consent_category() -> list[dict[str, Any]]:
    """Consent.category: a LOINC privacy consent document."""
    return [{"coding": [{"system": LOINC_SYSTEM, "code": CONSENT_DOCUMENT}]}]
