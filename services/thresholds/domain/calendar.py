"""The school calendar: terms, half terms, closures and weekends, and school-day arithmetic.

A school day is a weekday inside a term, outside its half term, and not a
closure (INSET day, bank holiday, planned closure). A working day - the unit of
the statutory timescales of children's social care (Working Together to
Safeguard Children 2023) - is any weekday that is not a bank holiday, school
holidays included; the file lists the bank holidays (`bank_holidays`). Dates
are civil dates in the calendar's time zone (Europe/London for an English
local authority).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from services.config.files import ConfigName, packaged_default
from services.thresholds.domain.exceptions import CalendarError, DateOutsideCalendarError

DEFAULT_CALENDAR: ConfigName = "school-calendar.yaml"
_SATURDAY = 5
# The academic year runs 1 September to 31 August, as in the DfE's school census
# and attendance statistics.
_YEAR_START_MONTH = 9


class _Period(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> _Period:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class _Closure(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    start: dt.date
    end: dt.date | None = None
    reason: str


class _Term(_Period):
    academic_year: str
    name: str
    half_term: _Period | None = None


class _CalendarFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    timezone: str = "Europe/London"
    school_day_start: dt.time = dt.time(8, 30)
    terms: tuple[_Term, ...]
    closures: tuple[_Closure, ...] = ()
    bank_holidays: tuple[dt.date, ...] = ()


@dataclass(frozen=True, slots=True)
class Term:
    """One term of one academic year, with its optional half-term holiday."""

    academic_year: str
    name: str
    start: dt.date
    end: dt.date
    half_term: tuple[dt.date, dt.date] | None = None

    @property
    def key(self) -> str:
        """Stable key for per-term state, e.g. ``2026-27/autumn``."""
        return f"{self.academic_year}/{self.name}"

    def contains(self, day: dt.date) -> bool:
        """Whether `day` lies between the term's first and last day (holidays included)."""
        return self.start <= day <= self.end


def academic_year_label(day: dt.date) -> str:
    """Label of the academic year (1 September to 31 August) holding `day`, e.g. ``2026-27``."""
    first = day.year if day.month >= _YEAR_START_MONTH else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


class SchoolCalendar:
    """School days of one or more academic years, with O(log n) school-day arithmetic."""

    def __init__(
        self,
        terms: tuple[Term, ...],
        closures: frozenset[dt.date],
        timezone: ZoneInfo,
        school_day_start: dt.time,
        bank_holidays: frozenset[dt.date] = frozenset(),
    ) -> None:
        """Build the calendar; raises CalendarError when terms overlap.

        `bank_holidays`: the days that are not working days although weekdays.
        """
        self.terms = tuple(sorted(terms, key=lambda t: t.start))
        for before, after in zip(self.terms, self.terms[1:], strict=False):
            if after.start <= before.end:
                raise CalendarError(f"term {after.key} overlaps {before.key}")
        self.timezone = timezone
        self.school_day_start = school_day_start
        self._years = frozenset(t.academic_year for t in self.terms)
        self._days = tuple(
            day for term in self.terms for day in _term_days(term) if day not in closures
        )
        self._day_set = frozenset(self._days)
        self.bank_holidays = bank_holidays

    @classmethod
    def from_mapping(cls, raw: Any) -> SchoolCalendar:
        """Build a calendar from parsed YAML; raises CalendarError when it does not validate."""
        try:
            parsed = _CalendarFile.model_validate(raw)
        except ValidationError as error:
            raise CalendarError(f"school calendar does not validate: {error}") from error
        terms = tuple(
            Term(
                t.academic_year,
                t.name,
                t.start,
                t.end,
                (t.half_term.start, t.half_term.end) if t.half_term else None,
            )
            for t in parsed.terms
        )
        closed = frozenset(
            c.start + dt.timedelta(days=offset)
            for c in parsed.closures
            for offset in range(((c.end or c.start) - c.start).days + 1)
        )
        return cls(
            terms,
            closed,
            ZoneInfo(parsed.timezone),
            parsed.school_day_start,
            frozenset(parsed.bank_holidays),
        )

    def covers(self, day: dt.date) -> bool:
        """Whether `day` falls in an academic year this calendar describes."""
        return academic_year_label(day) in self._years

    def _check(self, day: dt.date) -> None:
        if not self.covers(day):
            raise DateOutsideCalendarError(f"{day} is outside the school calendar")

    def is_school_day(self, day: dt.date) -> bool:
        """Whether pupils are expected in school on `day`."""
        self._check(day)
        return day in self._day_set

    def school_days_between(self, start: dt.date, end: dt.date) -> int:
        """Number of school days from `start` to `end`, both included (0 if end < start)."""
        self._check(start)
        self._check(end)
        if end < start:
            return 0
        return bisect.bisect_right(self._days, end) - bisect.bisect_left(self._days, start)

    def add_school_days(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th school day after `day` (before it when negative); `day` if 0."""
        self._check(day)
        if count == 0:
            return day
        if count > 0:
            index = bisect.bisect_right(self._days, day) + count - 1
        else:
            index = bisect.bisect_left(self._days, day) + count
        if not 0 <= index < len(self._days):
            raise DateOutsideCalendarError(f"{count} school days from {day} leaves the calendar")
        return self._days[index]

    def window_start(self, day: dt.date, school_days: int) -> dt.date:
        """First day of the window of `school_days` school days ending on `day`.

        Clamped at the calendar's first school day: nothing earlier is known.
        """
        self._check(day)
        index = bisect.bisect_right(self._days, day) - school_days
        return self._days[max(index, 0)] if self._days else day

    def next_school_day_start(
        self, after: dt.datetime, start_time: dt.time | None = None
    ) -> dt.datetime:
        """The first start of a school day strictly after `after` (aware), in local time."""
        if after.tzinfo is None:
            raise ValueError("next_school_day_start needs an aware datetime")
        start = start_time or self.school_day_start
        local = after.astimezone(self.timezone)
        today = local.date()
        candidate = dt.datetime.combine(today, start, tzinfo=self.timezone)
        if self.is_school_day(today) and after < candidate:
            return candidate
        return dt.datetime.combine(self.add_school_days(today, 1), start, tzinfo=self.timezone)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` is a working day: a weekday that is not a bank holiday."""
        return day.weekday() < _SATURDAY and day not in self.bank_holidays

    def add_working_days(self, moment: dt.datetime, count: int) -> dt.datetime:
        """The same local time of day `count` (>= 0) working days after an aware `moment`.

        A clock started outside working days starts at the school day's start
        time of the next working day: a referral on Saturday evening is due one
        working day after Monday morning, not after Saturday evening.
        """
        if moment.tzinfo is None:
            raise ValueError("add_working_days needs an aware datetime")
        local = moment.astimezone(self.timezone)
        day = local.date()
        if not self.is_working_day(day):
            while not self.is_working_day(day):
                day += dt.timedelta(days=1)
            local = dt.datetime.combine(day, self.school_day_start, tzinfo=self.timezone)
        remaining = count
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return dt.datetime.combine(day, local.time(), tzinfo=self.timezone)

    def term_of(self, day: dt.date) -> Term | None:
        """The term whose dates hold `day` (half term included), or None in the holidays."""
        self._check(day)
        return next((t for t in self.terms if t.contains(day)), None)

    def academic_year_of(self, day: dt.date) -> str:
        """Label of the academic year holding `day`, e.g. ``2026-27``."""
        return academic_year_label(day)

    def local_date(self, moment: dt.datetime) -> dt.date:
        """The civil date of an aware `moment` in the calendar's time zone."""
        return moment.astimezone(self.timezone).date()


def _term_days(term: Term) -> list[dt.date]:
    days = []
    day = term.start
    while day <= term.end:
        in_half_term = term.half_term is not None and term.half_term[0] <= day <= term.half_term[1]
        if day.weekday() < _SATURDAY and not in_half_term:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def load_calendar(path: Path | None = None) -> SchoolCalendar:
    """Read a calendar YAML file; the packaged example 2026-27 calendar when `path` is None."""
    raw = yaml.safe_load((path or packaged_default(DEFAULT_CALENDAR)).read_text(encoding="utf-8"))
    return SchoolCalendar.from_mapping(raw)
