"""Register marks: each pupil's morning and afternoon code on each school day.

A pupil is ill for whole days, in episodes; misses whole days unauthorised
(N, O) or on a term-time holiday (G); takes a session's leave (M, C, R);
arrives after the register closed (U) or late before it closed (L). Each
chance is the model's (rates.yaml) times the pupil's own factor, so absence
gathers in the pupils who miss most, as the national figures show. Pupils of
the severe group miss most days; a child missing education misses every
session from the day they stop. Suspended pupils are marked E (suspended, no
alternative provision).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Final

from services.simulate.authority import Pupil
from services.simulate.draws import choose
from services.simulate.rates import AttendanceModel
from services.thresholds.domain.calendar import SchoolCalendar

PRESENT: Final = ("/", "\\")
SUSPENDED: Final = ("E", "E")
SCHOOL_WEEK_DAYS: Final = 5
HOLIDAY_DAYS: Final = (3, 4, 5)
LEAVE_CODES: Final = {"M": 0.7, "C": 0.2, "R": 0.1}
UNAUTHORISED_DAY_CODES: Final = {"N": 0.55, "O": 0.45}
SEVERE_DAY_CODES: Final = {"O": 0.4, "N": 0.3, "I": 0.3}


@dataclass(slots=True)
class AbsenceSpell:
    """What a pupil is in the middle of: an illness, a holiday, or missing education."""

    illness_days: int = 0
    holiday_days: int = 0
    stopped_on: dt.date | None = None


class Register:
    """The register model: marks for one pupil and one school day."""

    def __init__(self, model: AttendanceModel, calendar: SchoolCalendar) -> None:
        """Mark with `model`'s chances; the illness chance follows the term's progress."""
        self._model = model
        self._calendar = calendar

    def _illness_start(self, day: dt.date) -> float:
        term = self._calendar.term_of(day)
        model = self._model
        if term is None or term.end == term.start:
            return model.illness_start_first_week
        progress = (day - term.start).days / (term.end - term.start).days
        first, last = model.illness_start_first_week, model.illness_start_last_week
        return first + (last - first) * progress

    def marks(
        self, pupil: Pupil, spell: AbsenceSpell, day: dt.date, rng: random.Random
    ) -> tuple[str, str]:
        """The AM and PM codes of `pupil` on school day `day` (the spell moves on a day)."""
        model = self._model
        if spell.stopped_on is not None and day >= spell.stopped_on:
            return ("O", "O")
        if pupil.profile == "severe":
            if rng.random() < model.severe_day_absent:
                code = choose(rng, SEVERE_DAY_CODES)
                return (code, code)
            return self._present(rng)
        if spell.illness_days > 0:
            spell.illness_days -= 1
            return ("I", "I")
        if spell.holiday_days > 0:
            spell.holiday_days -= 1
            return ("G", "G")
        factor = pupil.frailty * model.phase_factor[pupil.phase]
        return self._ordinary_day(spell, day, factor, rng)

    def _ordinary_day(
        self, spell: AbsenceSpell, day: dt.date, factor: float, rng: random.Random
    ) -> tuple[str, str]:
        model = self._model
        draw = rng.random()
        for chance, outcome in (
            (self._illness_start(day), "illness"),
            (model.holiday_start_week / SCHOOL_WEEK_DAYS, "holiday"),
            (model.unauthorised_day, "unauthorised"),
            (model.authorised_session, "leave"),
            (model.late_after_close, "late-after-close"),
        ):
            threshold = chance * factor
            if draw < threshold:
                return self._absence(outcome, spell, rng)
            draw -= threshold
        return self._present(rng)

    def _absence(self, outcome: str, spell: AbsenceSpell, rng: random.Random) -> tuple[str, str]:
        if outcome == "illness":
            while rng.random() < self._model.illness_continue:
                spell.illness_days += 1
            return ("I", "I")
        if outcome == "holiday":
            spell.holiday_days = rng.choice(HOLIDAY_DAYS) - 1
            return ("G", "G")
        if outcome == "unauthorised":
            code = choose(rng, UNAUTHORISED_DAY_CODES)
            return (code, code)
        if outcome == "leave":
            code = choose(rng, LEAVE_CODES)
            return (code, "\\") if rng.random() < 0.5 else ("/", code)
        return ("U", "\\")

    def _present(self, rng: random.Random) -> tuple[str, str]:
        late = rng.random() < self._model.late_present
        return ("L" if late else "/", "\\")
