"""Fixtures for the simulator's unit tests: the packaged rates and calendar, a small plan."""

import datetime as dt

import pytest

from services.simulate.happenings import Agencies
from services.simulate.plan import SimulationPlan, default_start
from services.simulate.rates import Rates, load_rates
from services.thresholds.domain.calendar import SchoolCalendar, load_calendar

AGENCIES = Agencies(social_care="la-social-care", police="police-west", health="health-trust")
RUN_ID = "0123456789ab"


@pytest.fixture(scope="session")
def rates() -> Rates:
    """The packaged rates (rates.yaml)."""
    return load_rates()


@pytest.fixture(scope="session")
def calendar() -> SchoolCalendar:
    """The packaged example calendar, academic year 2026-27."""
    return load_calendar()


@pytest.fixture
def small_plan(calendar) -> SimulationPlan:
    """The small scale's authority over its two weeks from the first Monday of term."""
    return SimulationPlan(3, 120, 2, default_start(calendar), seed=7, run_id=RUN_ID)


def first_monday(calendar: SchoolCalendar) -> dt.date:
    """The first Monday of the calendar's autumn term."""
    return default_start(calendar)
