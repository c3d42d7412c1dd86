"""A small SVG writer for the oversight pictures: shapes, text and axes, every value escaped.

Pictures are drawn on the server and served as `image/svg+xml` (or inlined
in the printable report): no script, no external reference, presentation
attributes only, so they print as drawn and obey a strict content policy.
Text and attribute values pass through `html.escape`, so a name that
reached the audit cannot become markup.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Final

FONT: Final = "system-ui, 'Segoe UI', Arial, sans-serif"
INK: Final = "#1b1b1b"
MUTED: Final = "#505050"
GRID: Final = "#d0d0d0"
PERMIT: Final = "#0d5c2e"
DENY: Final = "#8a1c1c"
OVERRIDE: Final = "#b35900"
# Okabe and Ito's colour-blind-safe palette (black last), for series and lanes.
PALETTE: Final = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000")
DASHES: Final = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4")

Attributes = Mapping[str, str | int | float]


def _number(value: float) -> str:
    """A coordinate as short text (two decimals at most)."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _attributes(attributes: Attributes) -> str:
    return "".join(
        f' {name}="{html.escape(_number(v) if isinstance(v, int | float) else v, quote=True)}"'
        for name, v in attributes.items()
    )


class Picture:
    """An SVG document being drawn: elements are appended, `render` closes it."""

    def __init__(self, width: int, height: int, title: str, description: str = "") -> None:
        """An empty picture of `width` x `height` user units, titled for screen readers."""
        self.width = width
        self.height = height
        opening = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
            f' width="{width}" height="{height}" role="img"'
            f' font-family="{html.escape(FONT, quote=True)}" font-size="13" fill="{INK}">'
        )
        self._parts = [opening, f"<title>{html.escape(title)}</title>"]
        if description:
            self._parts.append(f"<desc>{html.escape(description)}</desc>")

    def shape(self, tag: str, attributes: Attributes, tooltip: str | None = None) -> None:
        """An empty element (rect, line, circle, path, polyline), with an optional tooltip."""
        if tooltip is None:
            self._parts.append(f"<{tag}{_attributes(attributes)}/>")
        else:
            self._parts.append(
                f"<{tag}{_attributes(attributes)}><title>{html.escape(tooltip)}</title></{tag}>"
            )

    def text(self, x: float, y: float, words: str, attributes: Attributes | None = None) -> None:
        """A line of text at (x, y)."""
        where = {"x": x, "y": y, **(attributes or {})}
        self._parts.append(f"<text{_attributes(where)}>{html.escape(words)}</text>")

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str = GRID) -> None:
        """A straight line, one unit wide."""
        self.shape("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": colour})

    def render(self) -> str:
        """The finished document."""
        return "\n".join([*self._parts, "</svg>"]) + "\n"


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^n at or above `value` (at least 1): an axis maximum."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def clipped(label: str, limit: int) -> str:
    """`label` cut to `limit` characters with an ellipsis (the full text goes in a tooltip)."""
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"
