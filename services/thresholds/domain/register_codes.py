"""How an attendance register code counts, as the threshold rules need it.

The code list itself lives once in `schemas/codes/attendance.yaml` (the 2024
register codes). The rules depend only on the `RegisterCodes` protocol below,
so any lookup - the schemas accessor, or a hand-written table in tests - can
be passed in. At bootstrap, with `schemas.codes.attendance_code(code)`
returning the code's category and its counts_as_possible_session /
counts_as_absence flags, build a `CodeTable` (or a function) that maps each
code to `SessionCounting(counts_as_possible_session=..., counts_as_absence=...,
unauthorised=category == "unauthorised", illness=code == "I")`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from services.thresholds.domain.exceptions import UnknownRegisterCodeError


class CodeCounting(Protocol):
    """What one register code means for absence arithmetic."""

    @property
    def counts_as_possible_session(self) -> bool:
        """Whether the session counts towards possible sessions."""
        ...

    @property
    def counts_as_absence(self) -> bool:
        """Whether the session is an absence (authorised or not)."""
        ...

    @property
    def unauthorised(self) -> bool:
        """Whether the session is an unauthorised absence (G, N, O, U)."""
        ...

    @property
    def illness(self) -> bool:
        """Whether the session is an absence for illness (I)."""
        ...


class RegisterCodes(Protocol):
    """A lookup from a register code to how it counts; raises UnknownRegisterCodeError."""

    def __call__(self, code: str, /) -> CodeCounting:
        """How `code` counts."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionCounting:
    """A plain `CodeCounting` value."""

    counts_as_possible_session: bool
    counts_as_absence: bool
    unauthorised: bool = False
    illness: bool = False


class CodeTable:
    """A `RegisterCodes` backed by a mapping, e.g. built from schemas.codes at bootstrap."""

    def __init__(self, table: Mapping[str, CodeCounting]) -> None:
        """Keep the table (code -> counting)."""
        self._table = dict(table)

    def __call__(self, code: str, /) -> CodeCounting:
        """How `code` counts; raises UnknownRegisterCodeError for a code not in the table."""
        try:
            return self._table[code]
        except KeyError:
            raise UnknownRegisterCodeError(f"unknown register code {code!r}") from None
