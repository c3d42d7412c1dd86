"""Errors of the FHIR mapping beyond the consent domain's FhirMappingError."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from consent.exceptions import FhirMappingError


@dataclass(frozen=True, slots=True)
class Problem:
    """One element of a FHIR document that the import cannot honour, and the rule it breaks."""

    path: str
    rule: str

    def __str__(self) -> str:
        """`path: rule`, one line."""
        return f"{self.path}: {self.rule}"


class FhirImportError(FhirMappingError):
    """Raised when a FHIR Consent (or Bundle) breaks the project's profile; lists every problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        """Carry every problem found, in the order found; the message is one line per problem."""
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = tuple(problems)
