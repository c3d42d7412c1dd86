"""A subject access report's timeline: one lane per recipient, a mark per decision.

A permit is a filled green circle, a deny a red cross, and a safeguarding
override is ringed by an orange diamond: shape tells them apart as well as
colour, so the picture reads in black and white on paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal

from services.audit.svg import DENY, GRID, MUTED, OVERRIDE, PERMIT, Picture, clipped

WIDTH: Final = 900
LANE: Final = 34
LABEL_WIDTH: Final = 210
TOP: Final = 48
MARK: Final = 4.5
MAX_TICKS: Final = 10


@dataclass(frozen=True, slots=True)
class TimelineMark:
    """One decision on the timeline."""

    lane: str
    at: datetime
    decision: Literal["permit", "deny"]
    override: bool
    tooltip: str


def _months(start: date, end: date) -> list[date]:
    found, month = [], date(start.year, start.month, 1)
    while month <= end:
        found.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return found


def _ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """Axis ticks between start and end: days, months or years, at most MAX_TICKS."""
    span = end - start
    if span <= timedelta(days=62):
        step = max(1, span.days // MAX_TICKS + 1)
        days = [start.date() + timedelta(days=n) for n in range(0, span.days + 1, step)]
        return [(datetime.combine(d, datetime.min.time(), UTC), d.strftime("%d %b")) for d in days]
    months = [m for m in _months(start.date(), end.date()) if m >= start.date()]
    if span > timedelta(days=3 * 366):
        months = [m for m in months if m.month == 1]
    months = months[:: max(1, len(months) // MAX_TICKS + 1)] if len(months) > MAX_TICKS else months
    moments = [(datetime.combine(m, datetime.min.time(), UTC), m) for m in months]
    fmt = "%Y" if span > timedelta(days=3 * 366) else "%b %Y"
    return [(at, m.strftime(fmt)) for at, m in moments]


def _mark(picture: Picture, x: float, y: float, mark: TimelineMark) -> None:
    if mark.override:
        diamond = (
            f"M{x:.1f},{y - 8:.1f} L{x + 8:.1f},{y:.1f} L{x:.1f},{y + 8:.1f} L{x - 8:.1f},{y:.1f} Z"
        )
        picture.shape("path", {"d": diamond, "fill": "none", "stroke": OVERRIDE, "stroke-width": 2})
    if mark.decision == "permit":
        picture.shape("circle", {"cx": x, "cy": y, "r": MARK, "fill": PERMIT}, mark.tooltip)
    else:
        cross = (
            f"M{x - MARK:.1f},{y - MARK:.1f} L{x + MARK:.1f},{y + MARK:.1f}"
            f" M{x - MARK:.1f},{y + MARK:.1f} L{x + MARK:.1f},{y - MARK:.1f}"
        )
        picture.shape("path", {"d": cross, "stroke": DENY, "stroke-width": 2.2}, mark.tooltip)


def _legend(picture: Picture, y: float) -> None:
    picture.shape("circle", {"cx": LABEL_WIDTH, "cy": y, "r": MARK, "fill": PERMIT})
    picture.text(LABEL_WIDTH + 10, y + 4, "permit")
    x = LABEL_WIDTH + 90
    picture.shape(
        "path",
        {
            "d": f"M{x - 4},{y - 4} L{x + 4},{y + 4} M{x - 4},{y + 4} L{x + 4},{y - 4}",
            "stroke": DENY,
            "stroke-width": 2.2,
        },
    )
    picture.text(x + 10, y + 4, "deny")
    x += 80
    picture.shape(
        "path",
        {
            "d": f"M{x},{y - 8} L{x + 8},{y} L{x},{y + 8} L{x - 8},{y} Z",
            "fill": "none",
            "stroke": OVERRIDE,
            "stroke-width": 2,
        },
    )
    picture.text(x + 14, y + 4, "safeguarding override of a withdrawn consent")


def timeline(title: str, marks: Sequence[TimelineMark]) -> str:
    """The timeline picture of `marks` (lanes in order of first appearance)."""
    lanes = list(dict.fromkeys(mark.lane for mark in marks))
    height = TOP + max(len(lanes), 1) * LANE + 50
    described = f"{len(marks)} decisions to {len(lanes)} recipients"
    picture = Picture(WIDTH, height, title, described)
    picture.text(0, 20, title, {"font-size": 16, "font-weight": "bold"})
    if not marks:
        picture.text(0, TOP + 18, "No decisions are recorded about this child.", {"fill": MUTED})
        return picture.render()
    start = min(mark.at for mark in marks) - timedelta(hours=12)
    end = max(mark.at for mark in marks) + timedelta(hours=12)
    left, right = LABEL_WIDTH + 10, WIDTH - 20
    seconds = (end - start).total_seconds()

    def x_of(at: datetime) -> float:
        return left + (right - left) * (at - start).total_seconds() / seconds

    bottom = TOP + len(lanes) * LANE
    for at, label in _ticks(start, end):
        if start <= at <= end:
            picture.line(x_of(at), TOP - 6, x_of(at), bottom, GRID)
            picture.text(x_of(at), TOP - 10, label, {"text-anchor": "middle", "font-size": 11})
    for number, lane in enumerate(lanes):
        y = TOP + number * LANE + LANE / 2
        picture.line(left, y, right, y, GRID)
        picture.text(LABEL_WIDTH, y + 4, clipped(lane, 28), {"text-anchor": "end"})
    row = {lane: TOP + number * LANE + LANE / 2 for number, lane in enumerate(lanes)}
    for mark in marks:
        _mark(picture, x_of(mark.at), row[mark.lane], mark)
    _legend(picture, bottom + 28)
    return picture.render()
