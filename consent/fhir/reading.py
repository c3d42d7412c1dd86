"""Reading the parts of a FHIR Consent that make a ConsentDirective.

Each reader notes what is wrong in `problems` (naming the element and the
rule) and returns None instead of raising, so one import lists every problem.
Messages never carry a child's identifier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from consent.domain.agency import AGENCY_KINDS
from consent.domain.codes import load_policy_codes
from consent.fhir import profile, terms
from consent.fhir.problems import Problems
from schemas.child_ref import CHILD_REF_RULE, is_child_ref

_KINDS: Final = {
    ("active", "permit"): "given",
    ("inactive", "permit"): "withdrawn",
    ("active", "deny"): "objection",
}
_AGENCY_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_AGENCY_RULE: Final = "must be an agency id (lower-case letters, digits, hyphens)"
OTHER: Final = frozenset(terms.OTHER_SCOPES)


def listed(value: Any) -> list[Any]:
    """`value` as a list (FHIR repeats), empty when absent or not a list."""
    return value if isinstance(value, list) else []


def mapping(value: Any) -> Mapping[str, Any]:
    """`value` as an object, empty when absent or not an object."""
    return value if isinstance(value, Mapping) else {}


def directive_kind(
    status: Any, decision: Any, decision_path: str, problems: Problems
) -> str | None:
    """The kind (given, withdrawn, objection) from Consent.status and the decision."""
    known = True
    if status not in {"active", "inactive"}:
        problems.add("Consent.status", "must be active or inactive")
        known = False
    if decision not in {"permit", "deny"}:
        problems.add(decision_path, "must be permit or deny")
        known = False
    if not known:
        return None
    kind = _KINDS.get((status, decision))
    if kind is None:
        problems.add("Consent.status", "an inactive deny (a lifted objection) is not a directive")
    return kind


def child_ref(reference: Any, path: str, problems: Problems) -> str | None:
    """The pseudonymous child_ref of the subject; an NHS number or a malformed ref is refused."""
    found = _identifier(reference, path, problems)
    if found is None:
        return None
    system, value = found
    if system == terms.NHS_NUMBER_SYSTEM:
        problems.add(
            f"{path}.identifier.system",
            "an NHS number is never a consent subject here; use the child_ref "
            f"identifier ({terms.CHILD_REF_SYSTEM})",
        )
    elif system != terms.CHILD_REF_SYSTEM:
        problems.add(f"{path}.identifier.system", f"must be {terms.CHILD_REF_SYSTEM}")
    elif not is_child_ref(value):
        problems.add(f"{path}.identifier.value", CHILD_REF_RULE)
    else:
        return value
    return None


def agency_id(reference: Any, path: str, problems: Problems) -> str | None:
    """The agency id of an Organization reference by identifier."""
    found = _identifier(reference, path, problems)
    if found is None:
        return None
    system, value = found
    if system != terms.AGENCY_SYSTEM:
        problems.add(f"{path}.identifier.system", f"must be {terms.AGENCY_SYSTEM}")
    elif not _AGENCY_ID.fullmatch(value):
        problems.add(f"{path}.identifier.value", _AGENCY_RULE)
    else:
        return value
    return None


def recipient(actors: Any, path: str, problems: Problems) -> dict[str, str] | None:
    """The recipient selector ({'agency': id} or {'kind': kind}); no actor: every recipient."""
    found = listed(actors)
    if len(found) > 1:
        problems.add(path, "at most one actor (the recipient) is supported")
    chosen = None
    for index, actor in enumerate(found):
        chosen = _actor(mapping(actor), f"{path}[{index}]", problems)
    return chosen if len(found) == 1 else None


def _actor(actor: Mapping[str, Any], path: str, problems: Problems) -> dict[str, str] | None:
    profile.ACTOR.check(actor, path, problems)
    codings = listed(mapping(actor.get("role")).get("coding"))
    if (terms.PARTICIPATION_SYSTEM, terms.RECIPIENT_ROLE) not in _pairs(codings):
        problems.add(
            f"{path}.role",
            f"must be {terms.PARTICIPATION_SYSTEM}|{terms.RECIPIENT_ROLE} (information recipient)",
        )
    found = _identifier(actor.get("reference"), f"{path}.reference", problems)
    if found is None:
        return None
    system, value = found
    where = f"{path}.reference.identifier"
    if system == terms.AGENCY_SYSTEM:
        if _AGENCY_ID.fullmatch(value):
            return {"agency": value}
        problems.add(f"{where}.value", _AGENCY_RULE)
    elif system == terms.AGENCY_KIND_SYSTEM:
        if value in AGENCY_KINDS:
            return {"kind": value}
        problems.add(f"{where}.value", f"must be an agency kind: {', '.join(AGENCY_KINDS)}")
    else:
        problems.add(
            f"{where}.system", f"must be {terms.AGENCY_SYSTEM} or {terms.AGENCY_KIND_SYSTEM}"
        )
    return None


def purpose(codings: Any, path: str, problems: Problems) -> str | None:
    """The purpose code of the provision, or None (every purpose)."""
    found = listed(codings)
    if not found:
        return None
    if len(found) > 1:
        problems.add(path, "at most one purpose is supported (one directive per purpose)")
        return None
    coding = mapping(found[0])
    code = coding.get("code")
    if coding.get("system") != terms.PURPOSE_SYSTEM or not isinstance(code, str):
        problems.add(f"{path}[0]", f"must be a code of {terms.PURPOSE_SYSTEM}")
        return None
    if code not in load_policy_codes().purposes:
        problems.add(f"{path}[0].code", "unknown purpose (consent/policy/codes.yaml)")
        return None
    return code


def action(concepts: Any, path: str, problems: Problems) -> None:
    """No action means every action; a list of actions must include disclosure."""
    found = listed(concepts)
    codings = [c for concept in found for c in listed(mapping(concept).get("coding"))]
    if found and (terms.ACTION_SYSTEM, terms.DISCLOSE) not in _pairs(codings):
        problems.add(
            path,
            f"must include {terms.ACTION_SYSTEM}|{terms.DISCLOSE}: disclosure to a recipient "
            "is the one action the bus takes, so a consent about other actions cannot be honoured",
        )


def scope(concept: Any, path: str, problems: Problems) -> None:
    """R4 Consent.scope must be a privacy consent."""
    pairs = _pairs(listed(mapping(concept).get("coding")))
    others = [terms.OTHER_SCOPES[c] for s, c in pairs if s == terms.SCOPE_SYSTEM and c in OTHER]
    if others:
        problems.add(path, f"{others[0]} is not a privacy consent; only those are imported")
    elif (terms.SCOPE_SYSTEM, terms.PRIVACY_SCOPE) not in pairs:
        problems.add(path, f"must be {terms.SCOPE_SYSTEM}|{terms.PRIVACY_SCOPE}")


def category(concepts: Any, path: str, problems: Problems, *, says_privacy: bool) -> None:
    """Consent.category: known consent codes only; `says_privacy` (R5): one must say privacy."""
    seen: set[tuple[Any, Any]] = set()
    for index, concept in enumerate(listed(concepts)):
        for number, coding in enumerate(listed(mapping(concept).get("coding"))):
            pair = (mapping(coding).get("system"), mapping(coding).get("code"))
            seen.add(pair)
            where = f"{path}[{index}].coding[{number}]"
            if pair[0] == terms.SCOPE_SYSTEM and pair[1] in terms.OTHER_SCOPES:
                problems.add(where, f"{terms.OTHER_SCOPES[pair[1]]} is not a privacy consent")
            elif pair not in terms.ACCEPTED_CATEGORIES:
                problems.add(where, f"not a privacy consent category; expected {_CATEGORIES}")
    if says_privacy and not seen & terms.PRIVACY_CATEGORIES:
        problems.add(path, f"must say it is a privacy consent: one of {_PRIVACY}")


def _codes(pairs: frozenset[tuple[str, str]]) -> str:
    return ", ".join(sorted(f"{system}|{code}" for system, code in pairs))


_CATEGORIES: Final = _codes(terms.ACCEPTED_CATEGORIES)
_PRIVACY: Final = _codes(terms.PRIVACY_CATEGORIES)


def extension_value(resource: Mapping[str, Any], url: str, key: str, problems: Problems) -> Any:
    """The value of the first extension with this url, or None; a wrong value type is noted."""
    for index, extension in enumerate(listed(resource.get("extension"))):
        found = mapping(extension)
        if found.get("url") == url:
            if key not in found:
                problems.add(f"Consent.extension[{index}]", f"{url} needs a {key}")
            return found.get(key)
    return None


def _pairs(codings: list[Any]) -> set[tuple[Any, Any]]:
    return {(mapping(c).get("system"), mapping(c).get("code")) for c in codings}


def _identifier(reference: Any, path: str, problems: Problems) -> tuple[str, str] | None:
    identifier = mapping(mapping(reference).get("identifier"))
    system, value = identifier.get("system"), identifier.get("value")
    if not isinstance(system, str) or not isinstance(value, str) or not system or not value:
        problems.add(
            f"{path}.identifier",
            "a reference by identifier (system and value) is required; "
            "literal references are not followed",
        )
        return None
    return system, value
