"""The attendance model over a whole autumn term lands on the national figures (rates.yaml)."""

import datetime as dt
import random

import pytest

from schemas import codes
from services.simulate.attendance import AbsenceSpell, Register
from services.simulate.authority import build_pupils, build_schools
from services.simulate.rates import load_rates

PUPILS = 4000


@pytest.fixture(scope="module")
def term(calendar):
    """Absence figures of 4,000 pupils over the autumn term of the packaged calendar."""
    model = load_rates().attendance.model
    rng = random.Random(11)  # noqa: S311 - synthetic pupils, not secrets
    pupils = build_pupils(build_schools(12, rng), PUPILS, model, rng)
    register = Register(model, calendar)
    autumn = calendar.terms[0]
    days = [
        autumn.start + dt.timedelta(days=n) for n in range((autumn.end - autumn.start).days + 1)
    ]
    days = [day for day in days if calendar.is_school_day(day)]
    spells = [AbsenceSpell() for _ in pupils]
    for pupil, spell in zip(pupils, spells, strict=True):
        if pupil.profile == "missing-education":
            spell.stopped_on = rng.choice(days)
    counting = codes.attendance_codes()
    absent, unauthorised, illness, possible = [0] * PUPILS, 0, 0, 0
    for day in days:
        for pupil, spell in zip(pupils, spells, strict=True):
            for code in register.marks(pupil, spell, day, rng):
                possible += 1
                absent[pupil.index] += counting[code].counts_as_absence
                unauthorised += counting[code].category == "unauthorised"
                illness += code == "I"
    sessions = 2 * len(days)
    return {
        "overall_absence_percent": 100 * sum(absent) / possible,
        "persistent_absence_percent": 100 * sum(a >= 0.1 * sessions for a in absent) / PUPILS,
        "severe_absence_percent": 100 * sum(a >= 0.5 * sessions for a in absent) / PUPILS,
        "unauthorised_absence_percent": 100 * unauthorised / possible,
        "illness_absence_percent": 100 * illness / possible,
    }


@pytest.mark.parametrize(
    ("figure", "tolerance"),
    [
        ("overall_absence_percent", 0.8),
        ("persistent_absence_percent", 3.0),
        ("severe_absence_percent", 1.0),
        ("unauthorised_absence_percent", 0.5),
        ("illness_absence_percent", 0.6),
    ],
)
def test_a_term_matches_the_national_figure(term, figure, tolerance):
    """Each simulated figure is within tolerance of the national one it is calibrated on."""
    target = getattr(load_rates().attendance.targets, figure).value
    assert term[figure] == pytest.approx(target, abs=tolerance)
