"""NHS number: ten digits, the last a modulus 11 check digit.

Source: NHS Data Dictionary, "NHS Number" data element (check digit
validation): weight the first nine digits 10 down to 2, sum, take the
remainder modulo 11 and subtract it from 11; 11 means a check digit of 0,
10 means the number is invalid (never issued).
"""

from __future__ import annotations

from typing import Final

from services.identity.exceptions import InvalidIdentifierError

FIELD: Final = "nhs_number"
LENGTH: Final = 10
_WEIGHTS: Final = tuple(range(10, 1, -1))
_SEPARATORS: Final = str.maketrans("", "", " -")


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine leading digits, or None when no valid number has them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def parse_nhs_number(value: str) -> str:
    """Return the NHS number as ten digits (spaces and hyphens removed), or raise."""
    digits = value.translate(_SEPARATORS)
    if len(digits) != LENGTH or not digits.isascii() or not digits.isdigit():
        raise InvalidIdentifierError(FIELD, "must be 10 digits (spaces and hyphens allowed)")
    if len(set(digits)) == 1:
        raise InvalidIdentifierError(FIELD, "all ten digits the same is not a valid NHS number")
    check = nhs_check_digit(digits[:9])
    if check is None:
        raise InvalidIdentifierError(
            FIELD, "check digit would be 10, never issued (NHS Data Dictionary mod-11)"
        )
    if check != int(digits[9]):
        raise InvalidIdentifierError(
            FIELD, "check digit does not match (NHS Data Dictionary mod-11)"
        )
    return digits


def is_valid_nhs_number(value: str) -> bool:
    """Say whether `value` is a valid NHS number."""
    try:
        parse_nhs_number(value)
    except InvalidIdentifierError:
        return False
    return True
