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
STATED_AT_EXTENSION: Final = f"{PROJECT_BASE}/StructureDefinition/stated-at"
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
# LOINC "Release of information consent Document": a privacy consent by its type.
RELEASE_OF_INFORMATION: Final = "64292-6"
# The other consentscope codes: consents that are not about sharing information.
# Source: https://terminology.hl7.org/CodeSystem-consentscope.html
OTHER_SCOPES: Final = {
    "treatment": "a treatment consent",
    "research": "a research consent",
    "adr": "an advance care directive",
}
# Consent.category codings the import accepts; R5 (which has no scope) needs one
# of the privacy ones. The R5 category value set takes consentscope codes too:
# https://hl7.org/fhir/R5/valueset-consent-category.html
PRIVACY_CATEGORIES: Final = frozenset(
    {(SCOPE_SYSTEM, PRIVACY_SCOPE), (LOINC_SYSTEM, RELEASE_OF_INFORMATION)}
)
ACCEPTED_CATEGORIES: Final = PRIVACY_CATEGORIES | {(LOINC_SYSTEM, CONSENT_DOCUMENT)}

# Consent.provision.action: disclosure ("transfer retrieved information") is
# the one action the bus takes. Source:
# https://terminology.hl7.org/CodeSystem-consentaction.html
ACTION_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/consentaction"
DISCLOSE: Final = "disclose"


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


def consent_category(*, privacy: bool = False) -> list[dict[str, Any]]:
    """Consent.category: a LOINC consent document, and (R5, which has no scope) privacy."""
    category = [{"coding": [{"system": LOINC_SYSTEM, "code": CONSENT_DOCUMENT}]}]
    if privacy:
        category.append({"coding": [{"system": SCOPE_SYSTEM, "code": PRIVACY_SCOPE}]})
    return category
