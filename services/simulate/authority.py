"""The synthetic authority's schools and pupils: phases, sizes, year groups, who is absent more.

About one school in six is a secondary (England: about 3,450 secondary and
16,800 primary state schools), four times the size of a primary, so about
four pupils in ten are at secondary school. Half the secondaries have a sixth
form. Each pupil gets a factor saying how much more (or less) than the average
they miss school, and a few belong to the severe-absence group or stop
attending altogether (rates.yaml).
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, Literal

from services.simulate.identifiers import IdentifierAllocator
from services.simulate.rates import AttendanceModel, Phase

Profile = Literal["typical", "severe", "missing-education"]
SECONDARY_SHARE: Final = 0.17
SECONDARY_SIZE: Final = 3.6  # pupils of a secondary per pupil of a primary
YEAR_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "primary": ("R", "1", "2", "3", "4", "5", "6"),
    "secondary": ("7", "8", "9", "10", "11"),
    "sixth-form": ("7", "8", "9", "10", "11", "12", "13"),
}
FIRST_SCHOOL_NUMBER: Final = 900_001  # agency ids school-900001...: no demo school's


@dataclass(frozen=True, slots=True)
class School:
    """One school of the authority, an agency of the bus."""

    agency: str
    name: str
    phase: Phase
    sixth_form: bool = False

    @property
    def year_groups(self) -> tuple[str, ...]:
        """The year groups the school teaches."""
        return YEAR_GROUPS["sixth-form" if self.sixth_form else self.phase]


@dataclass(slots=True)
class Pupil:
    """One child on a school roll; identifiers are synthetic (identifiers.py)."""

    index: int
    school: str | None
    phase: Phase
    year_group: str
    frailty: float
    profile: Profile = "typical"
    upn: str = ""
    nhs_number: str | None = None


def build_schools(count: int, rng: random.Random) -> list[School]:
    """`count` schools, about one in six a secondary (one at least when there are two)."""
    secondaries = 0 if count == 1 else max(1, round(count * SECONDARY_SHARE))
    phases: list[Phase] = ["secondary" if n < secondaries else "primary" for n in range(count)]
    rng.shuffle(phases)
    schools = []
    for number, phase in enumerate(phases):
        agency = f"school-{FIRST_SCHOOL_NUMBER + number}"
        kind = "Primary School" if phase == "primary" else "Academy"
        sixth_form = phase == "secondary" and rng.random() < 0.5
        schools.append(School(agency, f"Simulated {kind} {number + 1}", phase, sixth_form))
    return schools


def _roll_sizes(schools: list[School], pupils: int, rng: random.Random) -> list[int]:
    """How many pupils each school has: by phase size, jittered, at least one each."""
    weights = [
        (SECONDARY_SIZE if s.phase == "secondary" else 1.0) * rng.uniform(0.7, 1.3) for s in schools
    ]
    spare = pupils - len(schools)
    shares = [spare * w / sum(weights) for w in weights]
    sizes = [1 + int(share) for share in shares]
    by_remainder = sorted(range(len(schools)), key=lambda i: shares[i] - int(shares[i]))
    for i in by_remainder[::-1][: pupils - sum(sizes)]:
        sizes[i] += 1
    return sizes


def build_pupils(
    schools: list[School], count: int, model: AttendanceModel, rng: random.Random
) -> list[Pupil]:
    """`count` pupils on the schools' rolls, each with an absence factor and profile."""
    pupils: list[Pupil] = []
    for school, size in zip(schools, _roll_sizes(schools, count, rng), strict=True):
        for _ in range(size):
            draw = rng.random()
            profile: Profile = "typical"
            if draw < model.missing_education_share:
                profile = "missing-education"
            elif draw < model.missing_education_share + model.severe_share:
                profile = "severe"
            frailty = rng.gammavariate(model.frailty_shape, 1 / model.frailty_shape)
            year = rng.choice(school.year_groups)
            pupils.append(Pupil(len(pupils), school.agency, school.phase, year, frailty, profile))
    return pupils


def assign_identifiers(
    pupils: list[Pupil],
    known_elsewhere: Collection[int],
    nhs_share: float,
    allocator: IdentifierAllocator,
    rng: random.Random,
) -> None:
    """A UPN for every pupil; an NHS number for those other agencies know, and a few more."""
    for pupil in pupils:
        pupil.upn = allocator.upn()
        if pupil.index in known_elsewhere or rng.random() < nhs_share:
            pupil.nhs_number = allocator.nhs_number()
