"""Synthetic identifiers that pass the identity stage's checks and can belong to no real child.

NHS numbers come from the range NHS England keeps for testing, 999 000 0000 to
999 999 9999, never issued to a patient; the tenth digit is the modulus 11
check digit (services/identity/domain/nhs_number.py), and stems whose check
digit would be 10 are skipped, as the NHS skips them. UPNs carry the local
authority number 999, which is no English authority's (they run 201 to 938),
then nine random digits, led by the modulus 23 check letter
(services/identity/domain/upn.py). Numbers come from a generator seeded by
the simulation's seed, skipping any already linked on the bus (`taken`), so
every run's children are new to the identity stage.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Final

from services.identity.domain.nhs_number import nhs_check_digit
from services.identity.domain.upn import upn_check_letter
from services.simulate.exceptions import IdentifiersExhaustedError

NHS_TEST_PREFIX: Final = "999"
UPN_LA_NUMBER: Final = "999"
NHS_STEMS: Final = 1_000_000  # six free digits after the prefix
UPN_BODIES: Final = 1_000_000_000  # nine free digits after the LA number
_TRIES: Final = 10_000


def nhs_number_of(stem: int) -> str | None:
    """The test-range NHS number with six digits `stem`, or None when its check digit is 10."""
    first_nine = f"{NHS_TEST_PREFIX}{stem:06d}"
    check = nhs_check_digit(first_nine)
    return None if check is None else f"{first_nine}{check}"


def upn_of(body: int) -> str:
    """The UPN of LA 999 whose last nine digits are `body`, with its check letter."""
    digits = f"{UPN_LA_NUMBER}{body:09d}"
    return f"{upn_check_letter(digits)}{digits}"


def is_synthetic(kind: str, value: str) -> bool:
    """Whether an identifier lies in the simulator's ranges (the only ones it remembers)."""
    if kind == "nhs_number":
        return value.startswith(NHS_TEST_PREFIX)
    return kind == "upn" and value[1:4] == UPN_LA_NUMBER


class IdentifierAllocator:
    """Hands out unused synthetic NHS numbers and UPNs, in an order fixed by the seed."""

    def __init__(self, seed: int, taken: Iterable[str] = ()) -> None:
        """Draw from a generator seeded with `seed`; never hand out one of `taken`."""
        self._rng = random.Random(f"identifiers/{seed}")  # noqa: S311 - synthetic, not secret
        self._given: set[str] = set(taken)

    def _tries(self) -> range:
        """Enough draws to walk past every number handed out or taken, and then some."""
        return range(len(self._given) + _TRIES)

    def nhs_number(self) -> str:
        """A test-range NHS number not handed out or taken before."""
        for _ in self._tries():
            number = nhs_number_of(self._rng.randrange(NHS_STEMS))
            if number is not None and number not in self._given:
                self._given.add(number)
                return number
        raise IdentifiersExhaustedError(
            "the NHS test range (999...) has no unused number left on this bus; "
            "simulate with fewer pupils or on a fresh local broker"
        )

    def upn(self) -> str:
        """A UPN of LA 999 not handed out or taken before."""
        for _ in self._tries():
            value = upn_of(self._rng.randrange(UPN_BODIES))
            if value not in self._given:
                self._given.add(value)
                return value
        raise IdentifiersExhaustedError("no unused UPN of LA 999 is left on this bus")
