"""Server-side SVG charts of the partnership's aggregates: no script, no inline styles.

Charts use presentation attributes only (the page's Content-Security-Policy
forbids inline styles), carry a <title> and a <desc> for screen readers, and
never draw a suppressed count: a bar shows the counts at or above the minimum,
and a note says how many of its cells are suppressed, never their values.
Colours: the Okabe-Ito palette, distinguishable with colour-blindness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import count
from typing import Final

PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#999999")
INK: Final = "#1b1b1b"
MUTED: Final = "#505a5f"
_ids = count(1)


@dataclass(frozen=True, slots=True)
class Segment:
    """One series' value in a bar; None when suppressed."""

    series: str
    value: int | None


@dataclass(frozen=True, slots=True)
class Bar:
    """One labelled bar made of segments (a stacked bar) or of one segment."""

    label: str
    segments: tuple[Segment, ...]

    @property
    def shown(self) -> int:
        """The sum of the segments that are shown."""
        return sum(s.value for s in self.segments if s.value is not None)

    @property
    def suppressed(self) -> int:
        """How many segments are suppressed."""
        return sum(1 for s in self.segments if s.value is None)


def _open(title: str, desc: str, width: int, height: int) -> tuple[str, str]:
    ident = f"chart{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="12" font-family="system-ui, sans-serif" '
        f'fill="{fill}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def legend(
    series: Sequence[str], colours: dict[str, str], x: float, y: float, width: float
) -> tuple[str, float]:
    """A legend of coloured squares and series names, wrapped at `width`; its bottom y."""
    parts, offset = [], 0.0
    for name in series:
        step = 24 + 7 * len(name)
        if offset and x + offset + step > width:
            offset, y = 0.0, y + 16
        parts.append(
            f'<rect x="{x + offset:.1f}" y="{y - 10:.1f}" width="10" height="10" '
            f'fill="{colours[name]}"/>'
        )
        parts.append(_text(x + offset + 14, y, name.replace("_", " ").replace("-", " ")))
        offset += step
    return "".join(parts), y


def colours_for(series: Sequence[str]) -> dict[str, str]:
    """A colour per series, in palette order."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}


def stacked_bars(title: str, bars: Sequence[Bar], series: Sequence[str], minimum: int) -> str:
    """Vertical stacked bars (one per label) of counts; suppressed cells noted, not drawn."""
    colours = colours_for(series)
    width = max(460, 70 + 96 * len(bars))
    drawn, legend_bottom = legend(series, colours, 10, 18, width - 10)
    top = round(legend_bottom) + 22
    bottom = top + 190
    height = bottom + 46
    biggest = max((bar.shown for bar in bars), default=0) or 1
    head, tail = _open(title, _describe(bars, minimum), width, height)
    parts = [head, drawn]
    parts.append(f'<line x1="50" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="{MUTED}"/>')
    parts.append(_text(45, top + 4, str(biggest), anchor="end", fill=MUTED))
    parts.append(_text(45, bottom, "0", anchor="end", fill=MUTED))
    for index, bar in enumerate(bars):
        x, y = 64 + 96 * index, float(bottom)
        for segment in bar.segments:
            if segment.value is None or segment.value == 0:
                continue
            size = (bottom - top) * segment.value / biggest
            y -= size
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="48" height="{size:.1f}" '
                f'fill="{colours[segment.series]}"><title>{escape(bar.label)}, '
                f"{escape(segment.series.replace('_', ' '))}: {segment.value}</title></rect>"
            )
        parts.append(_text(x + 24, bottom + 16, bar.label, anchor="middle"))
        if bar.suppressed:
            note = f"{bar.suppressed} cell(s) <{minimum}"
            parts.append(_text(x + 24, bottom + 32, note, anchor="middle", fill=MUTED))
    parts.append(tail)
    return "".join(parts)


def horizontal_bars(
    title: str, rows: Sequence[tuple[str, float | None, str]], scale: float, minimum: int
) -> str:
    """One horizontal bar per (label, value, shown text); a None value is 'fewer than minimum'."""
    width, left, right = 640, 200, 560
    height = 30 + 28 * len(rows)
    shown = [
        f"{label}: {text if value is not None else 'suppressed'}" for label, value, text in rows
    ]
    head, tail = _open(title, "; ".join(shown) or "no figures yet", width, height)
    parts = [head]
    for index, (label, value, text) in enumerate(rows):
        y = 20 + 28 * index
        parts.append(_text(left - 8, y + 14, label, anchor="end"))
        if value is None:
            parts.append(_text(left, y + 14, f"fewer than {minimum}: not shown", fill=MUTED))
            continue
        size = (right - left) * min(value / scale, 1.0) if scale else 0.0
        parts.append(
            f'<rect x="{left}" y="{y}" width="{size:.1f}" height="18" '
            f'fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(label)}: {escape(text)}'
            "</title></rect>"
        )
        parts.append(_text(left + size + 6, y + 14, text))
    parts.append(tail)
    return "".join(parts)


def _describe(bars: Sequence[Bar], minimum: int) -> str:
    if not bars:
        return "No figures yet."
    lines = []
    for bar in bars:
        shown = ", ".join(
            f"{s.series.replace('_', ' ')} {s.value}" for s in bar.segments if s.value
        )
        hidden = f"; {bar.suppressed} cell(s) under {minimum} not shown" if bar.suppressed else ""
        lines.append(f"{bar.label}: {shown or 'none shown'}{hidden}")
    return ". ".join(lines)
