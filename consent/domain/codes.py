"""Legal bases and purposes of sharing, read from consent/policy/codes.yaml."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from consent.exceptions import PolicyDataError, UnknownCodeError

_CODES_RESOURCE = "codes.yaml"


class LegalBasis(BaseModel):
    """A lawful basis for sharing: an Article of UK GDPR, with the statute behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    label: str
    article: str
    statute: str | None
    safeguarding: bool
    requires_consent: bool
    sources: tuple[str, ...]

    @model_validator(mode="after")
    def _not_both(self) -> LegalBasis:
        if self.safeguarding and self.requires_consent:
            raise ValueError(f"legal basis {self.code!r}: a consent basis cannot be safeguarding")
        return self


class Purpose(BaseModel):
    """A purpose of sharing (what the recipient may use the data for)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    label: str
    sources: tuple[str, ...]


class PolicyCodes(BaseModel):
    """The code lists of legal bases and purposes, keyed by code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    legal_bases: dict[str, LegalBasis]
    purposes: dict[str, Purpose]

    def legal_basis(self, code: str) -> LegalBasis:
        """The legal basis with this code; UnknownCodeError when there is none."""
        try:
            return self.legal_bases[code]
        except KeyError:
            raise UnknownCodeError(
                f"legal_basis {code!r} is not one of {sorted(self.legal_bases)}"
            ) from None

    def purpose(self, code: str) -> Purpose:
        """The purpose with this code; UnknownCodeError when there is none."""
        try:
            return self.purposes[code]
        except KeyError:
            raise UnknownCodeError(
                f"purpose {code!r} is not one of {sorted(self.purposes)}"
            ) from None

    @classmethod
    def from_mapping(cls, raw: Any) -> PolicyCodes:
        """Build the code lists from the parsed YAML document."""
        if not isinstance(raw, dict):
            raise PolicyDataError("policy codes: the document must be a mapping")
        try:
            return cls(
                legal_bases={
                    code: LegalBasis(code=code, **entry)
                    for code, entry in raw.get("legal_bases", {}).items()
                },
                purposes={
                    code: Purpose(code=code, **entry)
                    for code, entry in raw.get("purposes", {}).items()
                },
            )
        except (ValidationError, TypeError) as err:
            raise PolicyDataError(f"policy codes: {err}") from err


@functools.cache
def load_policy_codes() -> PolicyCodes:
    """The project's code lists (read once, on first use, from consent/policy/codes.yaml)."""
    text = resources.files("consent.policy").joinpath(_CODES_RESOURCE).read_text("utf-8")
    return PolicyCodes.from_mapping(yaml.safe_load(text))


def known_legal_basis(code: str) -> str:
    """Validate a legal basis code against the code lists (pydantic after-validator)."""
    if code not in load_policy_codes().legal_bases:
        raise ValueError(f"unknown legal basis {code!r}")
    return code


def known_purpose(code: str) -> str:
    """Validate a purpose code against the code lists (pydantic after-validator)."""
    if code not in load_policy_codes().purposes:
        raise ValueError(f"unknown purpose {code!r}")
    return code
