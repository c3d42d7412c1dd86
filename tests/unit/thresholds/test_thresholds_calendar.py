import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from services.thresholds.domain.calendar import SchoolCalendar
from services.thresholds.domain.exceptions import CalendarError, DateOutsideCalendarError

LONDON = ZoneInfo("Europe/London")
D = dt.date


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


class TestSchoolCalendar:
    def test_weekday_in_term_is_a_school_day(self, calendar):
        """A Monday in term time is a school day."""
        assert calendar.is_school_day(D(2026, 9, 7))

    def test_weekend_is_not_a_school_day(self, calendar):
        """Saturday and Sunday are never school days."""
        assert not calendar.is_school_day(D(2026, 9, 5))
        assert not calendar.is_school_day(D(2026, 9, 6))

    def test_half_term_is_not_a_school_day(self, calendar):
        """A weekday in half term is not a school day."""
        assert not calendar.is_school_day(D(2026, 10, 28))

    def test_inset_and_bank_holiday_are_closures(self, calendar):
        """INSET days and a bank holiday in term are not school days."""
        assert not calendar.is_school_day(D(2026, 9, 1))
        assert not calendar.is_school_day(D(2027, 5, 3))

    def test_example_year_has_190_pupil_days(self, calendar):
        """The example calendar gives the 190 days pupils must be taught."""
        assert calendar.school_days_between(D(2026, 9, 1), D(2027, 8, 31)) == 190

    def test_school_days_between_counts_both_ends(self, calendar):
        """Monday to Friday of a full week is five school days."""
        assert calendar.school_days_between(D(2026, 9, 7), D(2026, 9, 11)) == 5

    def test_school_days_between_skips_weekend_and_half_term(self, calendar):
        """A span over a weekend and half term counts only the school days."""
        assert calendar.school_days_between(D(2026, 10, 19), D(2026, 11, 6)) == 10

    def test_school_days_between_reversed_is_zero(self, calendar):
        """An end before the start spans no school days."""
        assert calendar.school_days_between(D(2026, 9, 11), D(2026, 9, 7)) == 0

    def test_add_school_days_crosses_half_term(self, calendar):
        """One school day after the Friday before half term is the Monday after it."""
        assert calendar.add_school_days(D(2026, 10, 23), 1) == D(2026, 11, 2)

    def test_add_school_days_backwards(self, calendar):
        """Minus one school day from a Monday is the Friday before."""
        assert calendar.add_school_days(D(2026, 9, 14), -1) == D(2026, 9, 11)

    def test_add_zero_school_days_is_the_same_day(self, calendar):
        """Adding no school days leaves even a Saturday unchanged."""
        assert calendar.add_school_days(D(2026, 9, 12), 0) == D(2026, 9, 12)

    def test_next_start_before_the_bell_is_today(self, calendar):
        """At 07:00 on a school day the next start is 08:30 the same day."""
        assert calendar.next_school_day_start(_at(D(2026, 9, 7), 7)) == _at(D(2026, 9, 7), 8, 30)

    def test_next_start_at_the_bell_is_tomorrow(self, calendar):
        """At 08:30 exactly the next start is the following school day."""
        after = _at(D(2026, 9, 7), 8, 30)
        assert calendar.next_school_day_start(after) == _at(D(2026, 9, 8), 8, 30)

    def test_next_start_after_friday_evening_is_monday(self, calendar):
        """A Friday evening is followed by Monday 08:30."""
        after = _at(D(2026, 9, 11), 22)
        assert calendar.next_school_day_start(after) == _at(D(2026, 9, 14), 8, 30)

    def test_next_start_over_half_term_is_in_gmt(self, calendar):
        """After the October half term (clocks back) the start is 08:30 GMT."""
        due = calendar.next_school_day_start(_at(D(2026, 10, 23), 20))
        assert due == _at(D(2026, 11, 2), 8, 30)
        assert due.utcoffset() == dt.timedelta(0)

    def test_next_start_takes_a_start_time(self, calendar):
        """A local start time overrides 08:30."""
        due = calendar.next_school_day_start(_at(D(2026, 9, 7), 7), dt.time(8))
        assert due == _at(D(2026, 9, 7), 8)

    def test_next_start_needs_aware_datetime(self, calendar):
        """A naive datetime is refused."""
        with pytest.raises(ValueError, match="aware"):
            calendar.next_school_day_start(dt.datetime(2026, 9, 7, 7))  # noqa: DTZ001

    def test_term_of_half_term_day_is_the_term(self, calendar):
        """A half-term day belongs to its term."""
        term = calendar.term_of(D(2026, 10, 28))
        assert term is not None
        assert term.key == "2026-27/autumn"

    def test_term_of_holiday_is_none(self, calendar):
        """Christmas Day is in no term."""
        assert calendar.term_of(D(2026, 12, 25)) is None

    def test_academic_year_turns_on_1_september(self, calendar):
        """31 August is the old academic year, 1 September the new."""
        assert calendar.academic_year_of(D(2027, 8, 31)) == "2026-27"
        assert calendar.academic_year_of(D(2027, 9, 1)) == "2027-28"

    def test_date_outside_calendar_raises(self, calendar):
        """A date in a year the calendar does not describe is an error, not a holiday."""
        with pytest.raises(DateOutsideCalendarError):
            calendar.is_school_day(D(2027, 9, 6))

    def test_window_start_is_clamped_at_calendar_start(self, calendar):
        """A window reaching back before the first school day starts at it."""
        assert calendar.window_start(D(2026, 9, 8), 50) == D(2026, 9, 3)
        assert calendar.window_start(D(2026, 9, 14), 5) == D(2026, 9, 8)


class TestSchoolCalendarFromMapping:
    def test_overlapping_terms_are_refused(self):
        """Two terms that overlap make an inconsistent calendar."""
        raw = {
            "terms": [
                {
                    "academic_year": "2026-27",
                    "name": "a",
                    "start": "2026-09-01",
                    "end": "2026-12-18",
                },
                {
                    "academic_year": "2026-27",
                    "name": "b",
                    "start": "2026-12-01",
                    "end": "2027-03-01",
                },
            ]
        }
        with pytest.raises(CalendarError, match="overlaps"):
            SchoolCalendar.from_mapping(raw)

    def test_term_ending_before_it_starts_is_refused(self):
        """A term whose end precedes its start does not validate."""
        raw = {
            "terms": [
                {
                    "academic_year": "2026-27",
                    "name": "a",
                    "start": "2026-12-01",
                    "end": "2026-09-01",
                }
            ]
        }
        with pytest.raises(CalendarError):
            SchoolCalendar.from_mapping(raw)

    def test_closure_range_closes_every_day(self):
        """A closure with start and end closes each day in between."""
        raw = {
            "terms": [
                {
                    "academic_year": "2026-27",
                    "name": "a",
                    "start": "2026-09-07",
                    "end": "2026-09-11",
                }
            ],
            "closures": [{"start": "2026-09-08", "end": "2026-09-09", "reason": "planned"}],
        }
        calendar = SchoolCalendar.from_mapping(raw)
        assert calendar.school_days_between(D(2026, 9, 7), D(2026, 9, 11)) == 3
