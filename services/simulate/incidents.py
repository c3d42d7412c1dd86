"""What happens to whom, planned before any event is made: plans, incidents, moves.

Counts follow rates.yaml: for each kind, a Poisson count with mean rate times
exposure (pupil-weeks, or looked-after child-weeks), and at least one of each
kind, so a small simulation still runs every path. Three cases are planted in
every simulation because national rates make them rare in a small one: a
child missing education from the first school day, a child two agencies raise
concerns about (a school concern, then a police notification), and a
looked-after child missing three times.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Final, Literal

from services.simulate.authority import Pupil, School
from services.simulate.draws import choose, poisson
from services.simulate.plan import SimulationPlan
from services.simulate.rates import Rate, Rates
from services.thresholds.domain.calendar import SchoolCalendar

IncidentKind = Literal[
    "cp-start",
    "cin-start",
    "lac-start",
    "plan-end",
    "domestic-abuse",
    "school-concern",
    "unscheduled-care",
    "lac-missing",
    "missing-from-home",
    "suspension",
    "permanent-exclusion",
    "move",
]
SCHOOL_INCIDENTS: Final = frozenset({"school-concern", "suspension", "permanent-exclusion", "move"})
REPEAT_MISSING: Final = 3


@dataclass(frozen=True, slots=True)
class Incident:
    """One thing that happens to one pupil on one day."""

    kind: IncidentKind
    pupil: int
    day: dt.date
    days: int = 0  # a suspension's school days
    destination: str = ""  # where a pupil who moves goes (leaving-destination code)
    to_school: str | None = None  # the school a pupil moves to, in the authority


@dataclass
class Scenario:
    """The plans open at the start, who stops attending when, and the incidents by day."""

    cp: set[int] = field(default_factory=set)
    cin: set[int] = field(default_factory=set)
    lac: set[int] = field(default_factory=set)
    stopped: dict[int, dt.date] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)

    def known_elsewhere(self) -> set[int]:
        """Pupils some agency other than their school publishes about (they need NHS numbers)."""
        others = {i.pupil for i in self.incidents if i.kind not in SCHOOL_INCIDENTS}
        return self.cp | self.cin | self.lac | others

    def on(self, day: dt.date) -> list[Incident]:
        """The incidents of `day`, in planning order."""
        return [incident for incident in self.incidents if incident.day == day]


class _Planner:
    def __init__(  # noqa: PLR0913 - the authority, the plan and its rates
        self,
        *,
        pupils: list[Pupil],
        schools: list[School],
        plan: SimulationPlan,
        rates: Rates,
        calendar: SchoolCalendar,
        rng: random.Random,
    ) -> None:
        self.pupils, self.schools, self.plan, self.rates, self.rng = (
            pupils,
            schools,
            plan,
            rates,
            rng,
        )
        self.days = plan.days
        self.school_days = [d for d in self.days if calendar.is_school_day(d)] or self.days
        self.scenario = Scenario()

    def cohort(self, share: float, exclude: set[int]) -> set[int]:
        pool = [p.index for p in self.pupils if p.index not in exclude and p.profile == "typical"]
        count = min(len(pool), max(1, round(share * len(self.pupils))))
        return set(self.rng.sample(pool, count))

    def count(self, rate: Rate, exposure: float) -> int:
        return max(1, poisson(self.rng, rate.weekly("primary") * exposure * self.plan.weeks))

    def add(self, kind: IncidentKind, pool: list[int], count: int, *, school_day: bool) -> None:
        days = self.school_days if school_day else self.days
        for _ in range(count if pool else 0):
            pupil, day = self.rng.choice(pool), self.rng.choice(days)
            self.scenario.incidents.append(Incident(kind, pupil, day))

    def plan_all(self) -> Scenario:
        s, cohorts = self.scenario, self.rates.cohorts
        s.cp = self.cohort(cohorts.child_protection.share, set())
        s.cin = self.cohort(cohorts.child_in_need.share, s.cp)
        s.lac = self.cohort(cohorts.looked_after.share, s.cp | s.cin)
        everyone = [p.index for p in self.pupils]
        self._plant_cases(everyone)
        inc, n = self.rates.incidents, len(self.pupils)
        on_plan = sorted(s.cp | s.cin | s.lac)
        not_looked_after = [i for i in everyone if i not in s.lac]
        self.add(
            "cp-start",
            [i for i in everyone if i not in s.cp],
            self.count(inc.child_protection_start, n),
            school_day=True,
        )
        self.add(
            "cin-start",
            [i for i in everyone if i not in s.cp | s.cin],
            self.count(inc.child_in_need_start, n),
            school_day=True,
        )
        self.add(
            "lac-start", not_looked_after, self.count(inc.looked_after_start, n), school_day=True
        )
        self.add("plan-end", on_plan, self.count(inc.plan_end, n), school_day=True)
        self.add(
            "domestic-abuse",
            everyone,
            self.count(inc.domestic_abuse_notification, n),
            school_day=False,
        )
        self.add("school-concern", everyone, self.count(inc.school_concern, n), school_day=True)
        self.add(
            "unscheduled-care", everyone, self.count(inc.unscheduled_care, n), school_day=False
        )
        self.add(
            "lac-missing",
            sorted(s.lac),
            self.count(inc.looked_after_missing, len(s.lac)),
            school_day=False,
        )
        self.add(
            "missing-from-home",
            not_looked_after,
            self.count(inc.missing_from_home, n),
            school_day=False,
        )
        self.add(
            "permanent-exclusion",
            [p.index for p in self.pupils if p.phase == "secondary"] or everyone,
            self.count(inc.permanent_exclusion, n),
            school_day=True,
        )
        self._suspensions(inc.suspension)
        self._moves(inc.move)
        s.incidents.sort(key=lambda i: (i.day, i.pupil, i.kind))
        return s

    def _plant_cases(self, everyone: list[int]) -> None:
        s, rng = self.scenario, self.rng
        for pupil in self.pupils:
            if pupil.profile == "missing-education":
                s.stopped[pupil.index] = rng.choice(self.school_days)
        if not s.stopped:
            typical = [i for i in everyone if i not in s.cp | s.cin | s.lac]
            chosen = self.pupils[rng.choice(typical)]
            chosen.profile = "missing-education"
            s.stopped[chosen.index] = self.school_days[0]
        others = [i for i in everyone if i not in s.stopped]
        matched = rng.choice(others)
        half = max(1, len(self.school_days) // 2)
        concern_day = rng.choice(self.school_days[:half])
        s.incidents.append(Incident("school-concern", matched, concern_day))
        later = [d for d in self.days if d > concern_day]
        s.incidents.append(Incident("domestic-abuse", matched, rng.choice(later or self.days)))
        missing = rng.choice(sorted(s.lac))
        for day in rng.sample(self.days, min(REPEAT_MISSING, len(self.days))):
            s.incidents.append(Incident("lac-missing", missing, day))

    def _suspensions(self, rate: Rate) -> None:
        for phase in ("primary", "secondary"):
            pool = [p.index for p in self.pupils if p.phase == phase]
            mean = rate.weekly(phase) * len(pool) * self.plan.weeks
            count = poisson(self.rng, mean) if pool else 0
            if phase == "secondary" or not any(p.phase == "secondary" for p in self.pupils):
                count = max(1, count)
            for _ in range(count if pool else 0):
                days = int(choose(self.rng, {str(k): v for k, v in rate.days.items()}))
                self.scenario.incidents.append(
                    Incident(
                        "suspension",
                        self.rng.choice(pool),
                        self.rng.choice(self.school_days),
                        days=days,
                    )
                )

    def _moves(self, rate: Rate) -> None:
        for _ in range(self.count(rate, len(self.pupils))):
            pupil = self.pupils[self.rng.randrange(len(self.pupils))]
            destination = choose(self.rng, rate.destinations)
            others = [
                s.agency
                for s in self.schools
                if s.agency != pupil.school and s.phase == pupil.phase
            ]
            if destination == "school-in-area" and not others:
                destination = "school-out-of-area"
            to_school = self.rng.choice(others) if destination == "school-in-area" else None
            day = self.rng.choice(self.school_days)
            self.scenario.incidents.append(
                Incident("move", pupil.index, day, destination=destination, to_school=to_school)
            )


def plan_scenario(  # noqa: PLR0913 - the authority, the plan and its rates
    *,
    pupils: list[Pupil],
    schools: list[School],
    plan: SimulationPlan,
    rates: Rates,
    calendar: SchoolCalendar,
    rng: random.Random,
) -> Scenario:
    """Plan the simulation's plans and incidents (deterministic for the same `rng` state)."""
    return _Planner(
        pupils=pupils, schools=schools, plan=plan, rates=rates, calendar=calendar, rng=rng
    ).plan_all()
