"""The time window a page draws and the axes' arithmetic: value ticks, time ticks, positions.

Pure functions of numbers: no drawing here, so the geometry can be checked
on its own (every point of a series lands inside the plot).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

NICE_STEPS: Final = (1.0, 2.0, 2.5, 5.0, 10.0)
TIME_STEPS: Final = (10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200)
MOST_TIME_TICKS: Final = 6
MINUTE: Final = 60


@dataclass(frozen=True)
class Window:
    """The time drawn: from `start` to `end` (aware, UTC), a point every `step_s` seconds."""

    start: datetime
    end: datetime
    step_s: int

    @classmethod
    def last(cls, minutes: int, now: datetime, step_s: int) -> Window:
        """The `minutes` before `now`, with points `step_s` apart."""
        end = now.astimezone(UTC)
        return cls(end - timedelta(minutes=minutes), end, step_s)

    @property
    def range_s(self) -> int:
        """The window's length in whole seconds."""
        return round((self.end - self.start).total_seconds())


@dataclass(frozen=True)
class Frame:
    """The plot's rectangle inside a picture, in the picture's units."""

    left: float
    top: float
    right: float
    bottom: float

    def contains(self, x: float, y: float) -> bool:
        """Whether (x, y) lies inside the rectangle or on its edge."""
        return self.left <= x <= self.right and self.top <= y <= self.bottom


@dataclass(frozen=True)
class ValueScale:
    """The value axis: from `low` to `high`, ticks every `step`."""

    low: float
    high: float
    step: float

    @property
    def ticks(self) -> list[float]:
        """The tick values from `low` to `high`."""
        count = round((self.high - self.low) / self.step)
        return [self.low + self.step * index for index in range(count + 1)]


def nice_step(span: float, ticks: int) -> float:
    """A step of 1, 2, 2.5 or 5 times a power of ten giving at most about `ticks` intervals."""
    raw = span / max(ticks, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    return next(step * power for step in NICE_STEPS if step * power >= raw)


def value_scale(values: Iterable[float], ticks: int = 4) -> ValueScale:
    """An axis covering every finite value and zero, ending on whole ticks."""
    finite = [value for value in values if math.isfinite(value)]
    low, high = min([0.0, *finite]), max([0.0, *finite])
    if high - low <= 0:
        high = low + 1.0
    step = nice_step(high - low, ticks)
    return ValueScale(math.floor(low / step) * step, math.ceil(high / step) * step, step)


def time_ticks(window: Window) -> list[datetime]:
    """Round times inside the window, at most about six, at a step of a clock's marks."""
    span = max(window.range_s, 1)
    step = next((s for s in TIME_STEPS if span / s <= MOST_TIME_TICKS), TIME_STEPS[-1])
    first = math.ceil(window.start.timestamp() / step) * step
    last = window.end.timestamp()
    return [
        datetime.fromtimestamp(moment, UTC) for moment in range(first, math.floor(last) + 1, step)
    ]


def time_label(moment: datetime, window: Window) -> str:
    """A tick's time in UTC: hours and minutes, with seconds in a window of minutes."""
    return moment.strftime("%H:%M:%S" if window.range_s < 5 * MINUTE else "%H:%M")


def x_of(moment: float, window: Window, frame: Frame) -> float:
    """Where a time (unix seconds) lies across the plot."""
    start, end = window.start.timestamp(), window.end.timestamp()
    share = (moment - start) / max(end - start, 1e-9)
    return frame.left + (frame.right - frame.left) * share


def y_of(value: float, scale: ValueScale, frame: Frame) -> float:
    """Where a value lies up the plot (the plot's bottom is `scale.low`)."""
    share = (value - scale.low) / (scale.high - scale.low)
    return frame.bottom - (frame.bottom - frame.top) * share


def segments(
    points: Sequence[tuple[float, float]], window: Window, scale: ValueScale, frame: Frame
) -> list[list[tuple[float, float]]]:
    """A series' points as picture positions, split where a value is NaN or infinite.

    Points outside the window are left out; values are inside the scale by
    construction, so every position lies in the frame.
    """
    start, end = window.start.timestamp(), window.end.timestamp()
    runs: list[list[tuple[float, float]]] = [[]]
    for moment, value in points:
        if not math.isfinite(value) or not start <= moment <= end:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((x_of(moment, window, frame), y_of(value, scale, frame)))
    return [run for run in runs if run]
