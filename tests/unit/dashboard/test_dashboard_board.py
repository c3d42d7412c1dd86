"""Gathering the panels' series: names from legends, the biggest few kept, errors per panel."""

from __future__ import annotations

from dashboard_fakes import NOW

from services.dashboard.board import BoardOptions, gather_board
from services.dashboard.exceptions import PrometheusQueryError
from services.dashboard.page import render_page
from services.dashboard.panels import parse_dashboard
from services.dashboard.prometheus import Series


class ManySeries:
    """Answers every query with `count` series, series n peaking at n; `refuse` fails."""

    def __init__(self, count: int, refuse: str = "") -> None:
        self.count = count
        self.refuse = refuse
        self.asked: list[str] = []

    def _answer(self, expr: str) -> list[Series]:
        self.asked.append(expr)
        if expr == self.refuse:
            raise PrometheusQueryError(f"Prometheus refused {expr!r}: bad_data: nope")
        end = NOW.timestamp()
        return [
            Series({"n": f"{n:02d}"}, ((end - 60, 0.0), (end, float(n)))) for n in range(self.count)
        ]

    async def query_range(self, expr, start, end, step_s):
        return self._answer(expr)

    async def query(self, expr, at=None):
        return self._answer(expr)


def board(kind: str, *exprs: str) -> dict:
    targets = [{"expr": expr, "legendFormat": "series {{n}}"} for expr in exprs]
    panel = {"type": kind, "title": kind, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}}
    return {"title": "t", "panels": [{**panel, "targets": targets}]}


OPTIONS = BoardOptions(max_series=3, scrape_interval_s=15)
WINDOW = OPTIONS.window(30, NOW)


async def test_a_chart_keeps_the_highest_peaks_in_legend_order():
    """Of 10 series a 3-series chart draws the three highest, sorted by name, 7 left out."""
    rows = await gather_board(
        parse_dashboard(board("timeseries", "q")), ManySeries(10), WINDOW, OPTIONS
    )

    view = rows[0].panels[0]
    assert [line.name for line in view.lines] == ["series 07", "series 08", "series 09"]
    assert view.omitted == 7
    assert "7 more series not drawn." in render_page("t", rows, WINDOW)


async def test_a_stat_shows_every_value_up_to_its_own_limit():
    """A stat is not cut to the chart limit: a down dependency among ten still shows."""
    rows = await gather_board(parse_dashboard(board("stat", "q")), ManySeries(10), WINDOW, OPTIONS)

    assert (len(rows[0].panels[0].lines), rows[0].panels[0].omitted) == (10, 0)


async def test_one_refused_target_leaves_the_others_drawn():
    """A panel's failing target is its error; its other target's series are still drawn."""
    prometheus = ManySeries(2, refuse="bad")

    rows = await gather_board(
        parse_dashboard(board("timeseries", "bad", "good")), prometheus, WINDOW, OPTIONS
    )

    view = rows[0].panels[0]
    assert view.errors == ("Prometheus refused 'bad': bad_data: nope",)
    assert [line.name for line in view.lines] == ["series 00", "series 01"]
    assert prometheus.asked == ["bad", "good"]
