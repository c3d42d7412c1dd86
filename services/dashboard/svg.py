"""A small SVG writer for the dashboard's panels: shapes and text, every value escaped.

Panels are drawn on the server and inlined in the page: no script, no
external reference, presentation attributes only. Label values come from
whatever a scrape target exported, so every text and attribute passes
through `safe_text` (characters XML cannot hold dropped) and
`html.escape`: a label cannot become markup, nor break the document.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Final

FONT: Final = "system-ui, 'Segoe UI', Arial, sans-serif"
INK: Final = "#1b1b1b"
MUTED: Final = "#505050"
GRID: Final = "#d0d0d0"
# Okabe and Ito's colour-blind-safe palette (black last), one colour per series.
PALETTE: Final = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000")
DASHES: Final = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4")
NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

Attributes = Mapping[str, str | int | float]


def safe_text(text: str) -> str:
    """`text` escaped for XML and HTML, without the control characters XML 1.0 forbids."""
    return html.escape(NOT_XML.sub("", text), quote=True)


def _number(value: float) -> str:
    """A coordinate as short text (two decimals at most)."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _attributes(attributes: Attributes) -> str:
    return "".join(
        f' {name}="{safe_text(_number(v) if isinstance(v, int | float) else v)}"'
        for name, v in attributes.items()
    )


class Picture:
    """An SVG document being drawn: elements are appended, `render` closes it."""

    def __init__(self, width: int, height: int, title: str) -> None:
        """An empty picture of `width` x `height` user units, titled for screen readers."""
        self.width = width
        self.height = height
        opening = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
            f' role="img" font-family="{safe_text(FONT)}" font-size="12" fill="{INK}">'
        )
        self._parts = [opening, f"<title>{safe_text(title)}</title>"]

    def shape(self, tag: str, attributes: Attributes, tooltip: str | None = None) -> None:
        """An empty element (rect, line, circle, path), with an optional tooltip."""
        if tooltip is None:
            self._parts.append(f"<{tag}{_attributes(attributes)}/>")
        else:
            self._parts.append(
                f"<{tag}{_attributes(attributes)}><title>{safe_text(tooltip)}</title></{tag}>"
            )

    def text(
        self,
        x: float,
        y: float,
        words: str,
        attributes: Attributes | None = None,
        tooltip: str | None = None,
    ) -> None:
        """A line of text at (x, y), with an optional tooltip (e.g. the whole of a cut label)."""
        where = _attributes({"x": x, "y": y, **(attributes or {})})
        hint = "" if tooltip is None else f"<title>{safe_text(tooltip)}</title>"
        self._parts.append(f"<text{where}>{hint}{safe_text(words)}</text>")

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str = GRID) -> None:
        """A straight line, one unit wide."""
        self.shape("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": colour})

    def render(self) -> str:
        """The finished document."""
        return "\n".join([*self._parts, "</svg>"]) + "\n"


def clipped(label: str, limit: int) -> str:
    """`label` cut to `limit` characters with an ellipsis (the full text goes in a tooltip)."""
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"
