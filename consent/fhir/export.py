"""ConsentDirective -> FHIR Consent (R5 and R4), validated with fhir.resources.

Kinds map onto status and decision (R5 `Consent.decision`, R4
`Consent.provision.type`):
    given     -> status active,   permit
    withdrawn -> status inactive, permit  (the consent is no longer in force)
    objection -> status active,   deny
The document's date (R5 `date`, R4 `dateTime`) is the time the directive was
stated (`stated_at`, else when the service received it); the project's
extensions carry both times exactly (docs/fhir.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fhir.resources.consent import Consent as ConsentR5
from fhir.resources.R4B.consent import Consent as ConsentR4
from pydantic import ValidationError

from consent.domain.codes import load_policy_codes
from consent.domain.directive import ConsentDirective
from consent.exceptions import FhirMappingError
from consent.fhir import terms


def directive_to_fhir_r5(directive: ConsentDirective) -> dict[str, Any]:
    """The directive as a FHIR R5 Consent resource (JSON-ready dict)."""
    resource = _common(directive)
    resource["subject"] = terms.identifier_reference(terms.CHILD_REF_SYSTEM, directive.child_ref)
    resource["category"] = terms.consent_category(privacy=True)
    resource["date"] = _document_time(directive).date().isoformat()
    resource["period"] = _period(directive)
    resource["manager"] = [
        terms.identifier_reference(terms.AGENCY_SYSTEM, directive.recorded_by.agency)
    ]
    resource["decision"] = "deny" if directive.kind == "objection" else "permit"
    provision = _provision(directive)
    if provision:
        resource["provision"] = [provision]
    return _validated(ConsentR5, resource)


def directive_to_fhir_r4(directive: ConsentDirective) -> dict[str, Any]:
    """The directive as a FHIR R4 Consent resource (validated with the R4B models)."""
    resource = _common(directive)
    resource["scope"] = {"coding": [{"system": terms.SCOPE_SYSTEM, "code": terms.PRIVACY_SCOPE}]}
    resource["patient"] = terms.identifier_reference(terms.CHILD_REF_SYSTEM, directive.child_ref)
    resource["dateTime"] = _instant(_document_time(directive))
    resource["organization"] = [
        terms.identifier_reference(terms.AGENCY_SYSTEM, directive.recorded_by.agency)
    ]
    provision = _provision(directive)
    provision["type"] = "deny" if directive.kind == "objection" else "permit"
    provision["period"] = _period(directive)
    resource["provision"] = provision
    return _validated(ConsentR4, resource)


def _common(directive: ConsentDirective) -> dict[str, Any]:
    extension: list[dict[str, Any]] = [
        {"url": terms.RECORDED_BY_ROLE_EXTENSION, "valueString": directive.recorded_by.role},
        {"url": terms.RECORDED_AT_EXTENSION, "valueDateTime": _instant(directive.recorded_at)},
    ]
    if directive.stated_at is not None:
        extension.append(
            {"url": terms.STATED_AT_EXTENSION, "valueDateTime": _instant(directive.stated_at)}
        )
    if directive.note:
        extension.append({"url": terms.NOTE_EXTENSION, "valueString": directive.note})
    return {
        "resourceType": "Consent",
        "id": directive.id,
        "extension": extension,
        "identifier": [{"system": terms.DIRECTIVE_ID_SYSTEM, "value": directive.id}],
        "status": "inactive" if directive.kind == "withdrawn" else "active",
        "category": terms.consent_category(),
    }


def _provision(directive: ConsentDirective) -> dict[str, Any]:
    provision: dict[str, Any] = {}
    if directive.recipient is not None:
        selector = directive.recipient
        reference = (
            terms.identifier_reference(terms.AGENCY_SYSTEM, selector.agency)
            if selector.agency is not None
            else terms.identifier_reference(terms.AGENCY_KIND_SYSTEM, str(selector.kind))
        )
        provision["actor"] = [{"role": terms.recipient_role(), "reference": reference}]
    if directive.purpose is not None:
        label = load_policy_codes().purpose(directive.purpose).label
        provision["purpose"] = [
            {"system": terms.PURPOSE_SYSTEM, "code": directive.purpose, "display": label}
        ]
    return provision


def _period(directive: ConsentDirective) -> dict[str, str]:
    period = {"start": _instant(directive.period.start)}
    if directive.period.end is not None:
        period["end"] = _instant(directive.period.end)
    return period


def _document_time(directive: ConsentDirective) -> datetime:
    return directive.stated_at or directive.recorded_at


def _instant(moment: datetime) -> str:
    return moment.isoformat()


def _validated(model: type[ConsentR5 | ConsentR4], resource: dict[str, Any]) -> dict[str, Any]:
    try:
        model.model_validate(resource)
    except ValidationError as err:  # a bug here, but say where
        raise FhirMappingError(f"export of Consent/{resource['id']} is invalid: {err}") from err
    return resource
