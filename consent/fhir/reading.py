"""Reading the parts of a FHIR Consent that make a ConsentDirective, with clear errors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from consent.exceptions import FhirMappingError
from consent.fhir import terms

_KINDS = {("active", "permit"): "given", ("inactive", "permit"): "withdrawn"}
_KINDS[("active", "deny")] = "objection"


def fail(path: str, problem: str) -> FhirMappingError:
    """An import error naming the FHIR element at fault."""
    return FhirMappingError(f"{path}: {problem}")


def directive_kind(status: Any, decision: Any, decision_path: str) -> str:
    """The kind (given, withdrawn, objection) from Consent.status and the decision."""
    if status not in {"active", "inactive"}:
        raise fail("Consent.status", f"{status!r} is not supported; expected active or inactive")
    if decision not in {"permit", "deny"}:
        raise fail(decision_path, f"{decision!r}; expected permit or deny")
    kind = _KINDS.get((status, decision))
    if kind is None:
        raise fail("Consent.status", "an inactive deny (a lifted objection) is not a directive")
    return kind


def child_ref(reference: Any, path: str) -> str:
    """The pseudonymous child_ref of the subject; an NHS number is refused."""
    system, value = _identifier(reference, path)
    if system == terms.NHS_NUMBER_SYSTEM:
        raise fail(
            f"{path}.identifier.system",
            "an NHS number is never a consent subject here; use the child_ref "
            f"identifier ({terms.CHILD_REF_SYSTEM})",
        )
    if system != terms.CHILD_REF_SYSTEM:
        raise fail(f"{path}.identifier.system", f"{system!r}; expected {terms.CHILD_REF_SYSTEM}")
    return value


def agency_id(reference: Any, path: str) -> str:
    """The agency id of an Organization reference by identifier."""
    system, value = _identifier(reference, path)
    if system != terms.AGENCY_SYSTEM:
        raise fail(f"{path}.identifier.system", f"{system!r}; expected {terms.AGENCY_SYSTEM}")
    return value


def recipient(actors: Any, path: str) -> dict[str, str] | None:
    """The recipient selector ({'agency': id} or {'kind': kind}) of the provision's actor."""
    if not actors:
        return None
    if len(actors) > 1:
        raise fail(path, "at most one actor (the recipient) is supported")
    actor = actors[0]
    codes = [c.get("code") for c in (actor.get("role") or {}).get("coding", [])]
    if terms.RECIPIENT_ROLE not in codes:
        raise fail(f"{path}[0].role", f"expected {terms.PARTICIPATION_SYSTEM}|IRCP")
    system, value = _identifier(actor.get("reference"), f"{path}[0].reference")
    if system == terms.AGENCY_SYSTEM:
        return {"agency": value}
    if system == terms.AGENCY_KIND_SYSTEM:
        return {"kind": value}
    raise fail(
        f"{path}[0].reference.identifier.system",
        f"{system!r}; expected {terms.AGENCY_SYSTEM} or {terms.AGENCY_KIND_SYSTEM}",
    )


def purpose(codings: Any, path: str) -> str | None:
    """The purpose code of the provision, or None (every purpose)."""
    if not codings:
        return None
    if len(codings) > 1:
        raise fail(path, "at most one purpose is supported")
    coding = codings[0]
    if coding.get("system") != terms.PURPOSE_SYSTEM or not coding.get("code"):
        raise fail(f"{path}[0]", f"expected a code of {terms.PURPOSE_SYSTEM}")
    return str(coding["code"])


def moment(value: Any, path: str) -> datetime:
    """A full date-time with a time zone."""
    if not isinstance(value, str):
        raise fail(path, "missing")
    try:
        parsed = datetime.fromisoformat(value) if "T" in value else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise fail(path, f"{value!r} is not a full date-time")
    if parsed.tzinfo is None:
        raise fail(path, f"{value!r} has no time zone")
    return parsed


def extension_value(resource: Mapping[str, Any], url: str, key: str) -> Any:
    """The value of the first extension with this url, or None."""
    for extension in resource.get("extension") or []:
        if extension.get("url") == url:
            return extension.get(key)
    return None


def no_nesting(provision: Mapping[str, Any], path: str) -> None:
    """Refuse nested provisions (exceptions that negate their parent)."""
    if provision.get("provision"):
        raise fail(f"{path}.provision", "nested provisions are not supported")


def _identifier(reference: Any, path: str) -> tuple[str, str]:
    identifier = (reference or {}).get("identifier") or {}
    system, value = identifier.get("system"), identifier.get("value")
    if not system or not value:
        raise fail(f"{path}.identifier", "a reference by identifier (system and value) is required")
    return str(system), str(value)
