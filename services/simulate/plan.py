"""What to simulate: how many schools and pupils, over which weeks, from which seed, how fast."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Final, Literal

from services.simulate.exceptions import PlanError
from services.thresholds.domain.calendar import SchoolCalendar

ScaleName = Literal["small", "authority"]
Via = Literal["sdk", "gateway"]
MAX_PUPILS: Final = 1_000_000_000  # the event id keeps 30 bits for the pupil (events.py)
MIN_PUPILS: Final = 10  # room for the plans and the cases every simulation plants


@dataclass(frozen=True)
class Scale:
    """A named size of authority."""

    schools: int
    pupils: int
    weeks: int


SCALES: Final[dict[ScaleName, Scale]] = {
    # About a minute on a two-core machine, every rule path at least once.
    "small": Scale(schools=3, pupils=120, weeks=2),
    # A mid-sized English local authority's schools (DOMAIN.md: a large one has 250,000).
    "authority": Scale(schools=200, pupils=60_000, weeks=1),
}


def new_run_id() -> str:
    """A fresh run id: twelve hex digits, part of every event id of the run."""
    return secrets.token_hex(6)


@dataclass(frozen=True)
class SimulationPlan:
    """One simulation: the authority's size, the simulated days and what makes it repeatable.

    The seed fixes the authority and everything that happens in it; the run id
    goes into every event id, so a second run with the same seed publishes new
    events rather than repeats the gateway and the processors would drop.
    """

    schools: int
    pupils: int
    weeks: int
    start: dt.date
    seed: int = 1
    run_id: str = field(default_factory=new_run_id)

    @property
    def end(self) -> dt.date:
        """The last simulated day."""
        return self.start + dt.timedelta(days=7 * self.weeks - 1)

    @property
    def days(self) -> list[dt.date]:
        """Every simulated day, weekends and holidays included."""
        return [self.start + dt.timedelta(days=n) for n in range(7 * self.weeks)]


def default_start(calendar: SchoolCalendar) -> dt.date:
    """The first Monday on or after the first day of the calendar's first term."""
    first = calendar.terms[0].start
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def check_plan(plan: SimulationPlan, calendar: SchoolCalendar, today: dt.date) -> None:
    """Refuse a plan the bus could not take, naming the option and the rule."""
    if plan.schools < 1:
        raise PlanError("--schools", "must be at least 1")
    if not max(plan.schools, MIN_PUPILS) <= plan.pupils < MAX_PUPILS:
        raise PlanError(
            "--pupils",
            f"must be at least {MIN_PUPILS} and the number of schools, and under {MAX_PUPILS:,}",
        )
    if plan.weeks < 1:
        raise PlanError("--weeks", "must be at least 1")
    if not len(plan.run_id) == 12 or not all(c in "0123456789abcdef" for c in plan.run_id):
        raise PlanError("--run-id", "must be twelve lower-case hex digits")
    if not (calendar.covers(plan.start) and calendar.covers(plan.end)):
        raise PlanError("--start", f"{plan.start} to {plan.end} must lie in the school calendar")
    if plan.end + dt.timedelta(days=1) >= today:
        raise PlanError(
            "--start",
            f"the simulated days ({plan.start} to {plan.end}) must be over by yesterday "
            f"({today - dt.timedelta(days=1)}): a night's events run into the next morning, "
            "and events may not be dated in the future",
        )


def parse_speed(text: str) -> float | None:
    """Simulated seconds per wall-clock second, from `max`, `realtime` or a number.

    `max` gives None: as fast as the bus takes it; `realtime` gives 1.
    """
    if text == "max":
        return None
    if text == "realtime":
        return 1.0
    try:
        factor = float(text)
    except ValueError:
        raise PlanError("--speed", "must be max, realtime or a positive number") from None
    if not factor > 0:
        raise PlanError("--speed", "must be max, realtime or a positive number")
    return factor
