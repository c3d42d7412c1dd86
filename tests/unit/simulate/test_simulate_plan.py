"""Plans and speeds: bad options are refused with the option and the rule."""

import dataclasses
import datetime as dt

import pytest

from services.simulate.exceptions import PlanError
from services.simulate.plan import check_plan, default_start, parse_speed

TODAY = dt.date(2026, 11, 28)


class TestSpeed:
    @pytest.mark.parametrize(
        ("text", "factor"), [("max", None), ("realtime", 1.0), ("3600", 3600.0), ("0.5", 0.5)]
    )
    def test_speeds(self, text, factor):
        """max, realtime and a positive factor are understood."""
        assert parse_speed(text) == factor

    @pytest.mark.parametrize("text", ["fast", "0", "-2", ""])
    def test_other_speeds_are_refused_naming_the_option(self, text):
        """Anything else names --speed and what it may be."""
        with pytest.raises(PlanError, match="--speed: must be max, realtime or a positive"):
            parse_speed(text)


class TestPlan:
    def test_the_default_start_is_the_first_monday_of_term(self, calendar):
        """The packaged calendar's autumn term starts on Tuesday 1 September 2026."""
        assert default_start(calendar) == dt.date(2026, 9, 7)

    def test_a_good_plan_passes(self, small_plan, calendar):
        """Two weeks of September, checked at the end of November."""
        check_plan(small_plan, calendar, TODAY)

    @pytest.mark.parametrize(
        ("change", "option"),
        [
            ({"schools": 0}, "--schools"),
            ({"pupils": 2}, "--pupils"),
            ({"weeks": 0}, "--weeks"),
            ({"run_id": "not-hex"}, "--run-id"),
            ({"start": dt.date(2030, 1, 7)}, "--start"),
            ({"start": dt.date(2026, 11, 14)}, "--start"),
        ],
    )
    def test_bad_plans_name_the_option(self, small_plan, calendar, change, option):
        """Too few schools or pupils, no weeks, a bad run id, days outside the calendar, or
        days not over by yesterday (14 to 27 November, checked on the 28th: the 27th's night
        runs into the 28th): each refused naming its option."""
        with pytest.raises(PlanError) as refused:
            check_plan(dataclasses.replace(small_plan, **change), calendar, TODAY)
        assert refused.value.option == option
