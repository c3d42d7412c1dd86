"""The oversight charts: a horizontal bar chart and a line chart per day, drawn as SVG."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Final

from services.audit.svg import (
    DASHES,
    GRID,
    MUTED,
    PALETTE,
    Picture,
    clipped,
    nice_ceiling,
)

BAR_ROW: Final = 28
LABEL_WIDTH: Final = 230
PLOT_LEFT: Final = 56
PLOT_TOP: Final = 40
PLOT_HEIGHT: Final = 220
LEGEND_ROW: Final = 20
TICKS: Final = 5


def bar_chart(title: str, bars: Sequence[tuple[str, int]], *, colour: str = PALETTE[0]) -> str:
    """Horizontal bars, one per (label, count), longest scaled to the chart's width."""
    width = 720
    height = PLOT_TOP + max(len(bars), 1) * BAR_ROW + 30
    summary = "; ".join(f"{label}: {count}" for label, count in bars) or "nothing to show"
    picture = Picture(width, height, title, summary)
    picture.text(0, 20, title, {"font-size": 16, "font-weight": "bold"})
    if not bars:
        picture.text(0, PLOT_TOP + 18, "Nothing in this period.", {"fill": MUTED})
        return picture.render()
    top = nice_ceiling(max(count for _, count in bars))
    span = width - LABEL_WIDTH - 70
    for row, (label, count) in enumerate(bars):
        y = PLOT_TOP + row * BAR_ROW
        picture.text(LABEL_WIDTH - 8, y + 18, clipped(label, 30), {"text-anchor": "end"})
        length = max(span * count / top, 1.0)
        picture.shape(
            "rect",
            {"x": LABEL_WIDTH, "y": y + 4, "width": length, "height": BAR_ROW - 8, "fill": colour},
            f"{label}: {count}",
        )
        picture.text(LABEL_WIDTH + length + 6, y + 18, str(count))
    baseline = PLOT_TOP + len(bars) * BAR_ROW
    picture.line(LABEL_WIDTH, PLOT_TOP, LABEL_WIDTH, baseline, MUTED)
    return picture.render()


def _x_labels(picture: Picture, days: Sequence[date], x_of: list[float]) -> None:
    every = max(1, len(days) // 8)
    bottom = PLOT_TOP + PLOT_HEIGHT
    for index in range(0, len(days), every):
        picture.line(x_of[index], bottom, x_of[index], bottom + 4, MUTED)
        label = days[index].strftime("%d %b")
        picture.text(x_of[index], bottom + 18, label, {"text-anchor": "middle", "font-size": 11})


def _y_axis(picture: Picture, top: int, right: float) -> None:
    # top is 1, 2 or 5 times a power of ten: these steps are whole numbers.
    ticks = top if top <= TICKS else (TICKS if top % TICKS == 0 else 4)
    for tick in range(ticks + 1):
        value = top * tick / ticks
        y = PLOT_TOP + PLOT_HEIGHT - PLOT_HEIGHT * tick / ticks
        picture.line(PLOT_LEFT, y, right, y, GRID)
        shown = f"{value:g}"
        picture.text(PLOT_LEFT - 6, y + 4, shown, {"text-anchor": "end", "font-size": 11})


def line_chart(title: str, days: Sequence[date], series: Mapping[str, Sequence[int]]) -> str:
    """One line per series over `days` (a value per day each), with a legend below."""
    width = 760
    legend_top = PLOT_TOP + PLOT_HEIGHT + 40
    height = legend_top + max(len(series), 1) * LEGEND_ROW + 10
    totals = "; ".join(f"{name}: {sum(values)}" for name, values in series.items())
    picture = Picture(width, height, title, totals or "nothing to show")
    picture.text(0, 20, title, {"font-size": 16, "font-weight": "bold"})
    right = width - 20
    if not series or not days:
        picture.text(PLOT_LEFT, PLOT_TOP + 18, "Nothing in this period.", {"fill": MUTED})
        return picture.render()
    top = nice_ceiling(max(max(values, default=0) for values in series.values()))
    step = (right - PLOT_LEFT) / max(len(days) - 1, 1)
    x_of = [PLOT_LEFT + step * index for index in range(len(days))]
    _y_axis(picture, top, right)
    _x_labels(picture, days, x_of)
    for number, (name, values) in enumerate(series.items()):
        colour, dash = PALETTE[number % len(PALETTE)], DASHES[number % len(DASHES)]
        points = " ".join(
            f"{x:.1f},{PLOT_TOP + PLOT_HEIGHT - PLOT_HEIGHT * v / top:.1f}"
            for x, v in zip(x_of, values, strict=True)
        )
        style: dict[str, str | int | float] = {
            "points": points,
            "fill": "none",
            "stroke": colour,
            "stroke-width": 2,
        }
        if dash:
            style["stroke-dasharray"] = dash
        picture.shape("polyline", style, f"{name}: {sum(values)} in the period")
        y = legend_top + number * LEGEND_ROW
        legend = {"x1": PLOT_LEFT, "y1": y, "x2": PLOT_LEFT + 28, "y2": y}
        picture.shape("line", {**legend, **{k: v for k, v in style.items() if k != "points"}})
        picture.text(PLOT_LEFT + 36, y + 4, f"{clipped(name, 60)} ({sum(values)})")
    return picture.render()
