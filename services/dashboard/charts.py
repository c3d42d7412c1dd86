"""The panels as SVG: a line chart for a timeseries panel, big numbers for a stat panel.

A picture is sized from the panel's place on Grafana's grid (`COLUMN`
units per grid column, `ROW_UNIT` per grid row), so the page can scale it
to its cell without distorting the text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from services.dashboard.panels import GridPos, Panel
from services.dashboard.scales import (
    Frame,
    Window,
    segments,
    time_label,
    time_ticks,
    value_scale,
    x_of,
    y_of,
)
from services.dashboard.svg import DASHES, GRID, MUTED, PALETTE, Picture, clipped
from services.dashboard.units import format_value

COLUMN: Final = 60
ROW_UNIT: Final = 36
TITLE_SPACE: Final = 34  # the panel's title is HTML above the picture
SMALLEST_HEIGHT: Final = 90
AXIS_WIDTH: Final = 66
X_LABELS: Final = 20
LEGEND_ROW: Final = 17
SWATCH: Final = 22
CHARACTER: Final = 6.6  # a legend character's width at font-size 12, near enough
LEGEND_CHARACTERS: Final = 48
STAT_TILE: Final = 150  # the narrowest tile a stat value gets
BIGGEST_NUMBER: Final = 64
NAME_ROOM: Final = 20  # under a stat value, for its name
DESCENT: Final = 0.25  # how far a digit's or a word's tail reaches below the baseline, per size
BACKGROUND_INK: Final = "#ffffff"


@dataclass(frozen=True)
class Line:
    """One series to draw: its legend text and its (unix seconds, value) points."""

    name: str
    points: tuple[tuple[float, float], ...]

    @property
    def last(self) -> float:
        """The last finite value (NaN when there is none): what a stat panel shows."""
        finite = [value for _, value in self.points if math.isfinite(value)]
        return finite[-1] if finite else math.nan


def picture_size(grid: GridPos) -> tuple[int, int]:
    """The picture's width and height for a panel at `grid` (title space taken off)."""
    return grid.w * COLUMN, max(grid.h * ROW_UNIT - TITLE_SPACE, SMALLEST_HEIGHT)


def _legend_rows(lines: Sequence[Line], width: float) -> list[list[tuple[int, Line, float]]]:
    """The legend's entries flowed into rows: (series number, series, entry width)."""
    rows: list[list[tuple[int, Line, float]]] = [[]]
    used = 0.0
    for number, line in enumerate(lines):
        entry = SWATCH + 6 + CHARACTER * len(clipped(line.name, LEGEND_CHARACTERS)) + 16
        if rows[-1] and used + entry > width:
            rows.append([])
            used = 0.0
        rows[-1].append((number, line, entry))
        used += entry
    return [row for row in rows if row]


def _style(number: int) -> dict[str, str | int | float]:
    style: dict[str, str | int | float] = {
        "fill": "none",
        "stroke": PALETTE[number % len(PALETTE)],
        "stroke-width": 2,
    }
    if DASHES[number % len(DASHES)]:
        style["stroke-dasharray"] = DASHES[number % len(DASHES)]
    return style


def plot_frame(width: int, height: int, legend_rows: int) -> Frame:
    """The plot's rectangle in a picture of `width` x `height` with a legend of that many rows."""
    legend = legend_rows * LEGEND_ROW + (6 if legend_rows else 0)
    bottom = max(height - X_LABELS - legend, 30.0)
    return Frame(left=AXIS_WIDTH, top=10.0, right=width - 14.0, bottom=bottom)


def _note(picture: Picture, words: str) -> str:
    picture.text(picture.width / 2, picture.height / 2, words, {"text-anchor": "middle"})
    return picture.render()


def timeseries_picture(panel: Panel, lines: Sequence[Line], window: Window) -> str:
    """A line chart of `lines` over `window`, value ticks in the panel's unit, legend below."""
    unit, decimals = panel.unit, panel.decimals
    width, height = picture_size(panel.grid)
    picture = Picture(width, height, panel.title)
    if not lines:
        return _note(picture, "No data")
    legend_rows = _legend_rows(lines, width - AXIS_WIDTH)
    frame = plot_frame(width, height, len(legend_rows))
    scale = value_scale(value for line in lines for _, value in line.points)
    for tick in scale.ticks:
        y = y_of(tick, scale, frame)
        picture.line(frame.left, y, frame.right, y, GRID)
        shown = format_value(tick, unit, decimals)
        picture.text(frame.left - 6, y + 4, shown, {"text-anchor": "end", "font-size": 11})
    for moment in time_ticks(window):
        x = x_of(moment.timestamp(), window, frame)
        picture.line(x, frame.top, x, frame.bottom, GRID)
        label = time_label(moment, window)
        picture.text(x, frame.bottom + 14, label, {"text-anchor": "middle", "font-size": 11})
    picture.line(frame.left, frame.bottom, frame.right, frame.bottom, MUTED)
    for number, line in enumerate(lines):
        style = _style(number)
        tooltip = f"{line.name}: last {format_value(line.last, unit, decimals)}"
        for run in segments(line.points, window, scale, frame):
            if len(run) == 1:
                (x, y), colour = run[0], style["stroke"]
                picture.shape("circle", {"cx": x, "cy": y, "r": 2, "fill": colour}, tooltip)
                continue
            path = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in run)
            picture.shape("path", {"d": path, **style}, tooltip)
    top = frame.bottom + X_LABELS + 6
    for row_number, row in enumerate(legend_rows):
        x, y = float(AXIS_WIDTH), top + row_number * LEGEND_ROW
        for number, line, entry in row:
            style = {k: v for k, v in _style(number).items() if k != "fill"}
            picture.shape("line", {"x1": x, "y1": y, "x2": x + SWATCH, "y2": y, **style})
            shown = clipped(line.name, LEGEND_CHARACTERS)
            picture.text(x + SWATCH + 6, y + 4, shown, {"font-size": 12}, line.name)
            x += entry
    return picture.render()


@dataclass(frozen=True)
class _Tile:
    """Where one stat value is drawn, and whether its name goes under it."""

    left: float
    top: float
    width: float
    height: float
    named: bool


def _stat_tile(picture: Picture, panel: Panel, line: Line, tile: _Tile, number: int) -> None:
    shown, hue = panel.style.shown(line.last, panel.unit, panel.decimals)
    colour = hue or PALETTE[number % len(PALETTE)]
    ink = colour
    if panel.style.background:
        box: dict[str, str | int | float] = {"x": tile.left + 2, "y": tile.top + 2, "rx": 3}
        box |= {"width": max(tile.width - 4, 1), "height": max(tile.height - 4, 1), "fill": colour}
        picture.shape("rect", box)
        ink = BACKGROUND_INK
    room = tile.height - (NAME_ROOM if tile.named else 0)
    size = min(BIGGEST_NUMBER, room * 0.6, tile.width * 0.9 / (0.6 * max(len(shown), 1)))
    below = size * DESCENT + NAME_ROOM if tile.named else 0  # the number's descent and the name
    baseline = tile.top + (tile.height - below) / 2 + size * 0.36
    middle = tile.left + tile.width / 2
    number_style: dict[str, str | int | float] = {"text-anchor": "middle", "fill": ink}
    number_style |= {"font-size": round(size), "font-weight": "bold"}
    tooltip = f"{line.name}: {shown}" if line.name else shown
    picture.text(middle, baseline, shown, number_style, tooltip)
    if tile.named:
        label = clipped(line.name, max(int(tile.width / CHARACTER) - 2, 4))
        name_style: dict[str, str | int | float] = {"text-anchor": "middle"}
        name_style["fill"] = ink if panel.style.background else MUTED
        picture.text(middle, baseline + below - 6, label, name_style, line.name)


def stat_picture(panel: Panel, lines: Sequence[Line]) -> str:
    """Each series' last value as a big number (mapped, coloured as the panel says), named."""
    width, height = picture_size(panel.grid)
    picture = Picture(width, height, panel.title)
    if not lines:
        return _note(picture, "No data")
    columns = max(1, min(len(lines), width // STAT_TILE))
    rows = math.ceil(len(lines) / columns)
    tile_width, tile_height = width / columns, height / rows
    named = len(lines) > 1 if panel.style.names is None else panel.style.names
    for number, line in enumerate(lines):
        left, top = (number % columns) * tile_width, (number // columns) * tile_height
        _stat_tile(picture, panel, line, _Tile(left, top, tile_width, tile_height, named), number)
    return picture.render()
