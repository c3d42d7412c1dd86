"""The simulation day by day: roll and plans at the start, incidents, two register sessions.

Everything is drawn from generators seeded by the plan's seed (one per purpose
and per day), in a fixed order, so the same plan gives the same events, ids
included. A `World` is played once: pupils change school as it is played.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from schemas import codes
from services.simulate.attendance import Register
from services.simulate.authority import (
    Pupil,
    School,
    assign_identifiers,
    build_pupils,
    build_schools,
)
from services.simulate.events import EventIds, SimEvent
from services.simulate.happenings import Agencies, Status
from services.simulate.identifiers import IdentifierAllocator
from services.simulate.incidents import Scenario, plan_scenario
from services.simulate.plan import SimulationPlan
from services.simulate.rates import Rates
from services.simulate.schooling import SchoolHappenings
from services.thresholds.domain.calendar import SchoolCalendar

OPENING: Final = dt.time(7, 0)  # the roll and the open plans, before the first register
REGISTERS: Final = {"AM": dt.time(8, 40), "PM": dt.time(13, 10)}
REGISTER_SPREAD_S: Final = 25 * 60  # most marks within the half hour after registers open
PLAN_AGE_DAYS: Final = (30, 540)  # how long before the start an open plan began


def _rng(plan: SimulationPlan, purpose: str) -> random.Random:
    return random.Random(f"{purpose}/{plan.seed}")  # noqa: S311 - synthetic, not secret


@dataclass
class World:
    """The authority of one simulation: its schools, pupils and what will happen to them."""

    plan: SimulationPlan
    schools: list[School]
    pupils: list[Pupil]
    scenario: Scenario


def schools_of(plan: SimulationPlan) -> list[School]:
    """The authority's schools (the same as `build_world` makes): they are its agencies."""
    return build_schools(plan.schools, _rng(plan, "authority"))


def build_world(
    plan: SimulationPlan, rates: Rates, calendar: SchoolCalendar, taken: frozenset[str]
) -> World:
    """The authority of `plan`; identifiers skip those in `taken` (already on the bus)."""
    rng = _rng(plan, "authority")
    schools = build_schools(plan.schools, rng)
    pupils = build_pupils(schools, plan.pupils, rates.attendance.model, rng)
    scenario = plan_scenario(
        pupils=pupils,
        schools=schools,
        plan=plan,
        rates=rates,
        calendar=calendar,
        rng=_rng(plan, "scenario"),
    )
    allocator = IdentifierAllocator(plan.seed, taken)
    nhs_share = rates.cohorts.nhs_number_known.share
    assign_identifiers(pupils, scenario.known_elsewhere(), nhs_share, allocator, _rng(plan, "nhs"))
    return World(plan, schools, pupils, scenario)


class Timeline:
    """Plays a world: the events of each simulated day, in time order, with their ids."""

    def __init__(
        self, world: World, rates: Rates, calendar: SchoolCalendar, agencies: Agencies
    ) -> None:
        """Play `world` over the plan's days."""
        self.world, self.calendar = world, calendar
        self.statuses = [Status() for _ in world.pupils]
        for pupil, day in world.scenario.stopped.items():
            self.statuses[pupil].spell.stopped_on = day
        self.happenings = SchoolHappenings(agencies, rates, calendar, world.pupils, self.statuses)
        self.register = Register(rates.attendance.model, calendar)
        self.ids = EventIds(world.plan.seed, world.plan.run_id)
        offsets = _rng(world.plan, "registers")
        self._register_offset = {s.agency: offsets.randint(0, 10) for s in world.schools}
        self._sequence = 0
        self.possible = [0] * len(world.pupils)
        self.absent = [0] * len(world.pupils)
        self._counting = codes.attendance_codes()

    def days(self) -> Iterator[tuple[dt.date, list[SimEvent]]]:
        """Each simulated day and its events, ordered by time (then pupil)."""
        plan = self.world.plan
        for day in plan.days:
            rng = random.Random(f"day/{plan.seed}/{day}")  # noqa: S311 - synthetic
            events = self._opening(rng) if day == plan.start else []
            events += self.happenings.joined(day)
            for incident in self.world.scenario.on(day):
                events += self.happenings.events_of(incident, rng)
            if self.calendar.is_school_day(day):
                events += self._marks(day, random.Random(f"register/{plan.seed}/{day}"))  # noqa: S311
            events.sort(key=lambda e: (e.at, e.pupil))
            for event in events:
                event.event_id = self.ids.make(event.pupil, self._sequence)
                self._sequence += 1
            yield day, events

    def _opening(self, rng: random.Random) -> list[SimEvent]:
        plan, happenings = self.world.plan, self.happenings
        term = self.calendar.term_of(plan.start)
        joined_on = term.start if term is not None else plan.start
        at = happenings.at(plan.start, OPENING)
        events = [
            SimEvent(
                at,
                pupil.school,
                "school",
                pupil.index,
                "PupilJoinedRoll",
                {
                    "school": pupil.school,
                    "joined_on": joined_on,
                    "year_group": pupil.year_group,
                    "previous_school": None,
                },
            )
            for pupil in self.world.pupils
            if pupil.school is not None
        ]
        scenario = self.world.scenario
        later = at + dt.timedelta(minutes=30)
        for kind, cohort in (("cp", scenario.cp), ("cin", scenario.cin), ("lac", scenario.lac)):
            for pupil in sorted(cohort):
                began = plan.start - dt.timedelta(days=rng.randint(*PLAN_AGE_DAYS))
                events.append(happenings.plan_started(kind, pupil, later, began, rng))
        return events

    def _marks(self, day: dt.date, rng: random.Random) -> list[SimEvent]:
        opening = {
            (school, session): self.happenings.at(day, time) + dt.timedelta(minutes=offset)
            for school, offset in self._register_offset.items()
            for session, time in REGISTERS.items()
        }
        events = []
        for pupil, status in zip(self.world.pupils, self.statuses, strict=True):
            if pupil.school is None:
                continue
            excluded = status.excluded_from is not None and day >= status.excluded_from
            if excluded or day in status.suspended:
                marks = ("E", "E")
            else:
                marks = self.register.marks(pupil, status.spell, day, rng)
            for session, code in zip(("AM", "PM"), marks, strict=True):
                self._count(pupil.index, code)
                at = opening[pupil.school, session]
                fields = {
                    "school": pupil.school,
                    "session_date": day,
                    "session": session,
                    "register_code": code,
                    "minutes_late": rng.randint(3, 20) if code == "L" else None,
                }
                moment = at + dt.timedelta(seconds=rng.randrange(REGISTER_SPREAD_S))
                events.append(
                    SimEvent(
                        moment, pupil.school, "school", pupil.index, "AttendanceMarked", fields
                    )
                )
        return events

    def _count(self, pupil: int, code: str) -> None:
        counting = self._counting[code]
        if counting.counts_as_possible_session:
            self.possible[pupil] += 1
            self.absent[pupil] += counting.counts_as_absence
