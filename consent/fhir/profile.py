"""The project's FHIR Consent profile as data: what the import reads, keeps or refuses.

Per FHIR release and element: read into the directive, accepted without being
kept, or refused with the reason.

An element that would narrow a consent to some data, or say something a
ConsentDirective cannot hold, is refused: storing the consent without it would
widen what the family agreed to (a "deny this data" read as "deny everything",
a "permit this data" read as "permit everything"). Accepted-not-kept elements
describe the document (its text, who signed it, the source scan); none changes
who may see what. Extensions of the project are read; other non-modifier
extensions may be ignored, as FHIR allows (docs/fhir.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from consent.fhir.problems import Problems

_NARROWS: Final = (
    "limits the consent to part of the child's data, which a directive cannot hold "
    "(it covers every event about the child), so it cannot be honoured"
)
_MODIFIER: Final = "a modifier extension changes what the consent means; none is supported"
_NESTED: Final = "nested provisions (exceptions to their parent) are not supported"


@dataclass(frozen=True)
class Elements:
    """What the import does with each element of one FHIR type."""

    read: frozenset[str]
    not_kept: frozenset[str]
    refused: Mapping[str, str]

    def check(self, value: Mapping[str, Any], path: str, problems: Problems) -> None:
        """Note every element of `value` that is refused or that the profile does not know."""
        for name in value:
            if name.startswith("_") or name in self.read or name in self.not_kept:
                continue  # `_x`: extensions on a primitive value (never modifiers)
            rule = self.refused.get(name, "not an element this profile reads")
            problems.add(f"{path}.{name}", rule)


_DOCUMENT: Final = frozenset({"meta", "text", "language", "contained"})
_COMMON_REFUSED: Final = {
    "implicitRules": "rules this service cannot know; the consent cannot be read safely",
    "modifierExtension": _MODIFIER,
}

CONSENT_R4: Final = Elements(
    read=frozenset(
        {
            "resourceType",
            "id",
            "identifier",
            "extension",
            "status",
            "scope",
            "category",
            "patient",
            "dateTime",
            "organization",
            "provision",
        }
    ),
    not_kept=_DOCUMENT
    | {"performer", "sourceAttachment", "sourceReference", "verification", "policy", "policyRule"},
    refused=_COMMON_REFUSED,
)
CONSENT_R5: Final = Elements(
    read=frozenset(
        {
            "resourceType",
            "id",
            "identifier",
            "extension",
            "status",
            "category",
            "subject",
            "date",
            "period",
            "manager",
            "decision",
            "provision",
        }
    ),
    not_kept=_DOCUMENT
    | {
        "grantor",
        "controller",
        "sourceAttachment",
        "sourceReference",
        "verification",
        "regulatoryBasis",
        "policyBasis",
        "policyText",
    },
    refused={
        **_COMMON_REFUSED,
        "grantee": "whom the consent is for must be the provision's actor (role IRCP); "
        "read without it, the consent would cover every recipient",
    },
)
_PROVISION_REFUSED: Final = {
    "securityLabel": _NARROWS,
    "code": _NARROWS,
    "dataPeriod": _NARROWS,
    "data": _NARROWS,
    "provision": _NESTED,
    "modifierExtension": _MODIFIER,
}
PROVISION_R4: Final = Elements(
    read=frozenset({"id", "extension", "type", "period", "actor", "purpose", "action"}),
    not_kept=frozenset(),
    refused={**_PROVISION_REFUSED, "class": _NARROWS},
)
PROVISION_R5: Final = Elements(
    read=frozenset({"id", "extension", "actor", "purpose", "action"}),
    not_kept=frozenset(),
    refused={
        **_PROVISION_REFUSED,
        "documentType": _NARROWS,
        "resourceType": _NARROWS,
        "expression": _NARROWS,
        "period": "the directive has one period: give it as Consent.period",
    },
)
ACTOR: Final = Elements(
    read=frozenset({"id", "extension", "role", "reference"}),
    not_kept=frozenset(),
    refused={"modifierExtension": _MODIFIER},
)
