"""Unique Pupil Number (UPN): 13 characters, the first a check letter.

Source: DfE, "Unique pupil numbers (UPNs)" guidance for schools and local
authorities. Characters 2-13 are weighted by their position (2 to 13),
summed, and the remainder modulo 23 picks the check letter from the 23
letters A-Z without I, O and S. A temporary UPN has a letter (from the same
23) as character 13; in the sum that letter counts as its position in the
list (A = 0 ... Z = 22). The UPN is an education identifier only: it is never
the cross-agency key (DOMAIN.md).
"""

from __future__ import annotations

from typing import Final

from services.identity.exceptions import InvalidIdentifierError

FIELD: Final = "upn"
LENGTH: Final = 13
CHECK_LETTERS: Final = "ABCDEFGHJKLMNPQRTUVWXYZ"


def _value(character: str) -> int:
    return int(character) if character.isdigit() else CHECK_LETTERS.index(character)


def upn_check_letter(body: str) -> str:
    """The check letter of a UPN whose characters 2-13 are `body`."""
    total = sum(_value(character) * weight for weight, character in enumerate(body, start=2))
    return CHECK_LETTERS[total % len(CHECK_LETTERS)]


def parse_upn(value: str) -> str:
    """Return the UPN upper-cased and stripped, or raise naming the broken rule."""
    upn = value.strip().upper()
    if len(upn) != LENGTH or not upn.isascii():
        raise InvalidIdentifierError(FIELD, "must be 13 characters")
    if upn[0] not in CHECK_LETTERS:
        raise InvalidIdentifierError(
            FIELD, "character 1 must be a check letter (A-Z without I, O, S)"
        )
    if not upn[1:12].isdigit():
        raise InvalidIdentifierError(FIELD, "characters 2-12 must be digits")
    if not (upn[12].isdigit() or upn[12] in CHECK_LETTERS):
        raise InvalidIdentifierError(
            FIELD,
            "character 13 must be a digit, or for a temporary UPN a letter other than I, O, S",
        )
    if upn_check_letter(upn[1:]) != upn[0]:
        raise InvalidIdentifierError(
            FIELD, "check letter does not match (DfE UPN guidance, mod 23)"
        )
    return upn


def is_temporary_upn(upn: str) -> bool:
    """Say whether a valid UPN is a temporary one (a letter as character 13)."""
    return parse_upn(upn)[12].isalpha()


def is_valid_upn(value: str) -> bool:
    """Say whether `value` is a valid UPN (permanent or temporary)."""
    try:
        parse_upn(value)
    except InvalidIdentifierError:
        return False
    return True
