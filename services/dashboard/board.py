"""Every panel's queries asked of Prometheus at once, their series named for the legend.

A timeseries panel asks for a range (`query_range` over the window), a
stat panel for the value at the window's end (`query`). A query Prometheus
refuses or cannot answer becomes that panel's error, shown in its place:
one bad query never blanks the page.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from services.dashboard.charts import Line
from services.dashboard.exceptions import PrometheusError
from services.dashboard.panels import Dashboard, Panel
from services.dashboard.prometheus import Series
from services.dashboard.scales import Window
from services.dashboard.templating import Interval, interpolate, legend, step_for

POINTS: Final = 240  # about a point every three pixels of a half-width panel
CONCURRENT_QUERIES: Final = 8


class Queries(Protocol):
    """What the board asks of Prometheus (`PrometheusClient`, or a test's stand-in)."""

    async def query_range(
        self, expr: str, start: datetime, end: datetime, step_s: float
    ) -> list[Series]:
        """The series of `expr` over a range."""
        ...

    async def query(self, expr: str, at: datetime | None = None) -> list[Series]:
        """The value of `expr` at one time."""
        ...


@dataclass(frozen=True)
class BoardOptions:
    """How much a panel draws and what `$__rate_interval` assumes of the scrapes."""

    max_series: int = 8
    scrape_interval_s: int = 15
    max_stat_values: int = 32  # a stat's values are small tiles: a down dependency must show

    def window(self, minutes: int, now: datetime) -> Window:
        """The last `minutes` before `now`, at a step giving about `POINTS` points."""
        step = step_for(minutes * 60, POINTS, self.scrape_interval_s)
        return Window.last(minutes, now, step)


@dataclass(frozen=True)
class PanelView:
    """A panel with what to draw: its series (the biggest few), and its queries' errors."""

    panel: Panel
    lines: tuple[Line, ...] = ()
    errors: tuple[str, ...] = ()
    omitted: int = 0


@dataclass(frozen=True)
class RowView:
    """A row's title and its panels, ready to draw."""

    title: str
    panels: tuple[PanelView, ...]


def _peak(line: Line) -> float:
    finite = [value for _, value in line.points if math.isfinite(value)]
    return max(finite, default=-math.inf)


def biggest(lines: Sequence[Line], most: int) -> tuple[tuple[Line, ...], int]:
    """The `most` lines of the highest peaks, in legend order, and how many were left out."""
    kept = sorted(lines, key=_peak, reverse=True)[:most]
    return tuple(sorted(kept, key=lambda line: line.name)), len(lines) - len(kept)


@dataclass(frozen=True)
class _Asking:
    """One drawing of the board: what every panel's queries are asked with."""

    dashboard: Dashboard
    prometheus: Queries
    window: Window
    options: BoardOptions
    turns: asyncio.Semaphore

    async def _series(self, panel: Panel, expr: str) -> list[Series]:
        window = self.window
        async with self.turns:
            if panel.kind == "stat":
                return await self.prometheus.query(expr, window.end)
            return await self.prometheus.query_range(expr, window.start, window.end, window.step_s)

    async def panel_view(self, panel: Panel) -> PanelView:
        """The panel's series, named by their targets' legend formats, or its errors."""
        scrape_s = self.options.scrape_interval_s
        interval = Interval(self.window.range_s, self.window.step_s, scrape_s)
        lines: list[Line] = []
        errors: list[str] = []
        for target in panel.targets:
            expr = interpolate(target.expr, self.dashboard.variables, interval)
            try:
                found = await self._series(panel, expr)
            except PrometheusError as exc:
                errors.append(str(exc))
                continue
            lines += [
                Line(legend(target.legend_format, series.labels, expr), series.points)
                for series in found
            ]
        most = self.options.max_stat_values if panel.kind == "stat" else self.options.max_series
        kept, omitted = biggest(lines, most)
        return PanelView(panel, kept, tuple(errors), omitted)


async def gather_board(
    dashboard: Dashboard, prometheus: Queries, window: Window, options: BoardOptions
) -> list[RowView]:
    """Every row with its panels' series over `window` (at most `CONCURRENT_QUERIES` at once)."""
    asking = _Asking(dashboard, prometheus, window, options, asyncio.Semaphore(CONCURRENT_QUERIES))
    views = iter(await asyncio.gather(*(asking.panel_view(panel) for panel in dashboard.panels)))
    return [RowView(row.title, tuple(next(views) for _ in row.panels)) for row in dashboard.rows]
