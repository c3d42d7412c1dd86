"""A validated, normalised identifier of a child; its repr never shows the value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from schemas.models.identity import IdentifierKind
from services.identity.domain.local_case_id import parse_local_case_id
from services.identity.domain.nhs_number import parse_nhs_number
from services.identity.domain.upn import parse_upn
from services.identity.exceptions import InvalidIdentifierError

IDENTIFIER_KINDS: tuple[IdentifierKind, ...] = get_args(IdentifierKind)


@dataclass(frozen=True, slots=True, repr=False)
class Identifier:
    """One identifier: kind, normalised value and (for local case ids) the issuing agency."""

    kind: IdentifierKind
    value: str
    agency: str | None = None

    @property
    def canonical(self) -> str:
        """The text the child_ref HMAC is computed over: kind, agency scope and value."""
        if self.kind == "local_case_id":
            return f"{self.kind}:{self.agency}:{self.value}"
        return f"{self.kind}:{self.value}"

    def __repr__(self) -> str:
        """Show the kind and agency only: raw identifiers never reach logs."""
        scope = f", agency={self.agency!r}" if self.agency else ""
        return f"Identifier(kind={self.kind!r}{scope}, value=<redacted>)"

    __str__ = __repr__


def nhs_number(value: str) -> Identifier:
    """An NHS number identifier (validated)."""
    return Identifier("nhs_number", parse_nhs_number(value))


def upn(value: str) -> Identifier:
    """A UPN identifier (validated; temporary UPNs allowed)."""
    return Identifier("upn", parse_upn(value))


def local_case_id(agency: str, value: str) -> Identifier:
    """An agency-scoped local case id (validated)."""
    scope, case_id = parse_local_case_id(agency, value)
    return Identifier("local_case_id", case_id, scope)


def parse_identifier(kind: str, value: str, agency: str | None = None) -> Identifier:
    """Validate an identifier given as kind, value and (for local case ids) agency."""
    if kind == "nhs_number":
        return nhs_number(value)
    if kind == "upn":
        return upn(value)
    if kind == "local_case_id":
        if agency is None:
            raise InvalidIdentifierError("local_case_id.agency", "is required for a local case id")
        return local_case_id(agency, value)
    raise InvalidIdentifierError("identifier_kind", f"must be one of {', '.join(IDENTIFIER_KINDS)}")
