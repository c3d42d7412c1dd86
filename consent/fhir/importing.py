"""FHIR Consent (R5 and R4) -> ConsentDirective, refusing what the profile cannot honour.

Every problem of a document is listed at once (FhirImportError, one line per
element and rule): the structural ones (fhir.resources), then those of the
project's profile (consent/fhir/profile.py, docs/fhir.md). The directive's
`recorded_at` is `received_at`, the consent service's own clock; the time the
document gives is kept as `stated_at`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from fhir.resources.consent import Consent as ConsentR5
from fhir.resources.R4B.consent import Consent as ConsentR4
from pydantic import ValidationError

from consent.domain.directive import ConsentDirective
from consent.fhir import profile, reading, terms, timing
from consent.fhir.problems import Problems

_ID: Final = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_ID_RULE: Final = "must be a FHIR id: letters, digits, '-' and '.', at most 64 characters"


def directive_from_fhir_r5(
    resource: Mapping[str, Any] | str, *, received_at: datetime
) -> ConsentDirective:
    """The directive a FHIR R5 Consent records, received at `received_at`."""
    problems = Problems()
    raw = structurally_valid(ConsentR5, resource, problems)
    profile.CONSENT_R5.check(raw, "Consent", problems)
    provisions = reading.listed(raw.get("provision")) or [{}]
    if len(provisions) > 1:
        problems.add("Consent.provision", "at most one provision is supported")
    for index, each in enumerate(provisions):
        profile.PROVISION_R5.check(reading.mapping(each), f"Consent.provision[{index}]", problems)
    provision = reading.mapping(provisions[0])
    path = "Consent.provision[0]"
    reading.category(raw.get("category"), "Consent.category", problems, says_privacy=True)
    managers = reading.listed(raw.get("manager"))
    fields = {
        "kind": reading.directive_kind(
            raw.get("status"), raw.get("decision"), "Consent.decision", problems
        ),
        "child_ref": reading.child_ref(raw.get("subject"), "Consent.subject", problems),
        "period": timing.period(raw.get("period"), "Consent.period", problems),
        "agency": reading.agency_id(
            managers[0] if managers else None, "Consent.manager[0]", problems
        ),
        "stated_at": timing.stated_at(raw, received_at, problems, r4=False),
    }
    return _directive(raw, fields, provision, path, received_at=received_at, problems=problems)


def directive_from_fhir_r4(
    resource: Mapping[str, Any] | str, *, received_at: datetime
) -> ConsentDirective:
    """The directive a FHIR R4 Consent records (validated with the R4B models)."""
    problems = Problems()
    raw = structurally_valid(ConsentR4, resource, problems)
    profile.CONSENT_R4.check(raw, "Consent", problems)
    provision = reading.mapping(raw.get("provision"))
    path = "Consent.provision"
    profile.PROVISION_R4.check(provision, path, problems)
    reading.scope(raw.get("scope"), "Consent.scope", problems)
    reading.category(raw.get("category"), "Consent.category", problems, says_privacy=False)
    organizations = reading.listed(raw.get("organization"))
    fields = {
        "kind": reading.directive_kind(
            raw.get("status"), provision.get("type"), f"{path}.type", problems
        ),
        "child_ref": reading.child_ref(raw.get("patient"), "Consent.patient", problems),
        "period": timing.period(provision.get("period"), f"{path}.period", problems),
        "agency": reading.agency_id(
            organizations[0] if organizations else None, "Consent.organization[0]", problems
        ),
        "stated_at": timing.stated_at(raw, received_at, problems, r4=True),
    }
    return _directive(raw, fields, provision, path, received_at=received_at, problems=problems)


def _directive(  # noqa: PLR0913 - the parts read differ between R4 and R5 only in place
    raw: Mapping[str, Any],
    read: Mapping[str, Any],
    provision: Mapping[str, Any],
    provision_path: str,
    *,
    received_at: datetime,
    problems: Problems,
) -> ConsentDirective:
    role = reading.extension_value(raw, terms.RECORDED_BY_ROLE_EXTENSION, "valueString", problems)
    if not role:
        problems.add(
            "Consent.extension",
            f"must carry the recorder's role ({terms.RECORDED_BY_ROLE_EXTENSION})",
        )
    reading.action(provision.get("action"), f"{provision_path}.action", problems)
    fields: dict[str, Any] = {
        "id": _directive_id(raw, problems),
        "child_ref": read["child_ref"],
        "kind": read["kind"],
        "purpose": reading.purpose(provision.get("purpose"), f"{provision_path}.purpose", problems),
        "recipient": reading.recipient(provision.get("actor"), f"{provision_path}.actor", problems),
        "period": read["period"],
        "recorded_by": {"role": role, "agency": read["agency"]},
        "recorded_at": received_at,
        "stated_at": read["stated_at"],
        "note": reading.extension_value(raw, terms.NOTE_EXTENSION, "valueString", problems),
    }
    problems.raise_any()
    try:
        return ConsentDirective.model_validate(fields)
    except ValidationError as err:  # what the readers let through but the model refuses
        for error in err.errors(include_url=False, include_input=False):
            where = ".".join(str(part) for part in error["loc"])
            problems.add(f"Consent ({where})", error["msg"])
        problems.raise_any()
        raise  # unreachable: a ValidationError always has an error


def structurally_valid(
    model: type[ConsentR5 | ConsentR4], resource: Mapping[str, Any] | str, problems: Problems
) -> dict[str, Any]:
    """The resource as a dict; structural problems (JSON, FHIR types) are noted, not raised."""
    found: Any = resource
    if isinstance(found, str):
        try:
            found = json.loads(found)
        except json.JSONDecodeError as err:
            problems.refuse("Consent", f"not JSON ({err.msg}, line {err.lineno})")
    if not isinstance(found, Mapping):
        problems.refuse("Consent", "must be a JSON object")
    raw = dict(found)
    if raw.get("resourceType") != "Consent":
        problems.refuse("resourceType", "must be Consent")
    try:
        model.model_validate(raw)
    except ValidationError as err:
        for error in err.errors(include_url=False, include_input=False):
            problems.add(_fhir_path(error["loc"]), error["msg"])
    return raw


def _fhir_path(location: tuple[int | str, ...]) -> str:
    path = "Consent"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _directive_id(raw: Mapping[str, Any], problems: Problems) -> str | None:
    found = raw.get("id")
    path = "Consent.id"
    if not found:
        for index, identifier in enumerate(reading.listed(raw.get("identifier"))):
            if reading.mapping(identifier).get("system") == terms.DIRECTIVE_ID_SYSTEM:
                found = reading.mapping(identifier).get("value")
                path = f"Consent.identifier[{index}].value"
                break
    if not found:
        problems.add("Consent.id", f"missing (and no identifier of {terms.DIRECTIVE_ID_SYSTEM})")
        return None
    if not isinstance(found, str) or not _ID.fullmatch(found):
        problems.add(path, _ID_RULE)
        return None
    return found
