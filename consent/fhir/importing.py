"""FHIR Consent (R5 and R4) -> ConsentDirective, with errors that name the element."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fhir.resources.consent import Consent as ConsentR5
from fhir.resources.R4B.consent import Consent as ConsentR4
from pydantic import ValidationError

from consent.domain.directive import ConsentDirective
from consent.exceptions import FhirMappingError
from consent.fhir import reading, terms


def directive_from_fhir_r5(resource: Mapping[str, Any] | str) -> ConsentDirective:
    """The directive a FHIR R5 Consent records."""
    raw = _structurally_valid(ConsentR5, resource)
    provisions = raw.get("provision") or [{}]
    if len(provisions) > 1:
        raise reading.fail("Consent.provision", "at most one provision is supported")
    provision = provisions[0]
    reading.no_nesting(provision, "Consent.provision[0]")
    managers = raw.get("manager") or []
    return _directive(
        raw,
        kind=reading.directive_kind(raw.get("status"), raw.get("decision"), "Consent.decision"),
        subject=reading.child_ref(raw.get("subject"), "Consent.subject"),
        period=raw.get("period") or {},
        period_path="Consent.period",
        provision=provision,
        provision_path="Consent.provision[0]",
        recorder=reading.agency_id(managers[0] if managers else None, "Consent.manager[0]"),
        recorded_at=_recorded_at(raw, fallback=None),
    )


def directive_from_fhir_r4(resource: Mapping[str, Any] | str) -> ConsentDirective:
    """The directive a FHIR R4 Consent records (validated with the R4B models)."""
    raw = _structurally_valid(ConsentR4, resource)
    provision = raw.get("provision") or {}
    reading.no_nesting(provision, "Consent.provision")
    organizations = raw.get("organization") or []
    return _directive(
        raw,
        kind=reading.directive_kind(
            raw.get("status"), provision.get("type"), "Consent.provision.type"
        ),
        subject=reading.child_ref(raw.get("patient"), "Consent.patient"),
        period=provision.get("period") or {},
        period_path="Consent.provision.period",
        provision=provision,
        provision_path="Consent.provision",
        recorder=reading.agency_id(
            organizations[0] if organizations else None, "Consent.organization[0]"
        ),
        recorded_at=_recorded_at(raw, fallback=raw.get("dateTime")),
    )


def _directive(  # noqa: PLR0913 - the parts differ between R4 and R5 only in where they live
    raw: Mapping[str, Any],
    *,
    kind: str,
    subject: str,
    period: Mapping[str, Any],
    period_path: str,
    provision: Mapping[str, Any],
    provision_path: str,
    recorder: str,
    recorded_at: str,
) -> ConsentDirective:
    role = reading.extension_value(raw, terms.RECORDED_BY_ROLE_EXTENSION, "valueString")
    if not role:
        raise reading.fail(
            "Consent.extension", f"the recorder's role ({terms.RECORDED_BY_ROLE_EXTENSION})"
        )
    fields: dict[str, Any] = {
        "id": _directive_id(raw),
        "child_ref": subject,
        "kind": kind,
        "purpose": reading.purpose(provision.get("purpose"), f"{provision_path}.purpose"),
        "recipient": reading.recipient(provision.get("actor"), f"{provision_path}.actor"),
        "period": {
            "start": reading.moment(period.get("start"), f"{period_path}.start"),
            "end": None
            if period.get("end") is None
            else reading.moment(period.get("end"), f"{period_path}.end"),
        },
        "recorded_by": {"role": role, "agency": recorder},
        "recorded_at": reading.moment(recorded_at, "Consent.extension(recorded-at)"),
        "note": reading.extension_value(raw, terms.NOTE_EXTENSION, "valueString"),
    }
    try:
        return ConsentDirective.model_validate(fields)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise FhirMappingError(f"Consent does not make a valid directive: {problems}") from err


def _structurally_valid(
    model: type[ConsentR5 | ConsentR4], resource: Mapping[str, Any] | str
) -> dict[str, Any]:
    if isinstance(resource, str):
        try:
            resource = json.loads(resource)
        except json.JSONDecodeError as err:
            raise FhirMappingError(f"Consent: not JSON ({err})") from err
    if not isinstance(resource, Mapping):
        raise FhirMappingError("Consent: expected a JSON object")
    raw = dict(resource)
    if raw.get("resourceType") != "Consent":
        raise reading.fail("resourceType", f"{raw.get('resourceType')!r}; expected 'Consent'")
    try:
        model.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(
            f"Consent.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise FhirMappingError(f"invalid FHIR Consent: {problems}") from err
    return raw


def _directive_id(raw: Mapping[str, Any]) -> str:
    if raw.get("id"):
        return str(raw["id"])
    for identifier in raw.get("identifier") or []:
        if identifier.get("system") == terms.DIRECTIVE_ID_SYSTEM and identifier.get("value"):
            return str(identifier["value"])
    raise reading.fail("Consent.id", f"missing (and no identifier of {terms.DIRECTIVE_ID_SYSTEM})")


def _recorded_at(raw: Mapping[str, Any], fallback: Any) -> str:
    value = reading.extension_value(raw, terms.RECORDED_AT_EXTENSION, "valueDateTime")
    value = value or fallback
    if not isinstance(value, str):
        raise reading.fail(
            "Consent.extension", f"when it was recorded ({terms.RECORDED_AT_EXTENSION})"
        )
    return value
