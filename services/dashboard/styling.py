"""How a stat panel shows a value: Grafana's value mappings, thresholds and colour mode.

`fieldConfig.defaults.mappings` turn a value into a word and a colour
(`0` -> "down", red), `thresholds.steps` colour a value by the highest
step it reaches, and `options.colorMode` "background" fills the tile with
that colour. These are looks, not data: a part Grafana would read and this
reader does not understand is passed over, never an error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from services.dashboard.units import format_value

# Grafana's named colours, in the darker shades that read on a white page.
COLOURS: Final[Mapping[str, str]] = {
    "green": "#37872d",
    "red": "#c4162a",
    "orange": "#fa6400",
    "yellow": "#e0b400",
    "blue": "#1f60c4",
    "purple": "#8f3bb8",
    "text": "#1b1b1b",
    "transparent": "#505050",
}
HEX_COLOUR: Final = re.compile(r"#[0-9a-fA-F]{3,8}")
SHADES: Final = ("dark-", "semi-dark-", "light-", "super-light-")


def colour(name: object) -> str | None:
    """A Grafana colour (a name, a shade of one, or #hex) as #hex; None when not one of those."""
    if not isinstance(name, str):
        return None
    if HEX_COLOUR.fullmatch(name):
        return name
    base = next((name.removeprefix(s) for s in SHADES if name.startswith(s)), name)
    return COLOURS.get(base)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class ValueMap:
    """One mapping: values from `low` to `high` (both included; NaN when `nan`) shown as `text`."""

    low: float
    high: float
    text: str
    colour: str | None
    nan: bool = False

    def matches(self, value: float) -> bool:
        """Whether `value` is one this mapping shows."""
        if math.isnan(value):
            return self.nan
        return self.low <= value <= self.high


@dataclass(frozen=True)
class ValueStyle:
    """A stat panel's mappings, threshold steps (ascending), colour mode and text mode."""

    mappings: tuple[ValueMap, ...] = ()
    thresholds: tuple[tuple[float, str], ...] = ()
    background: bool = False
    names: bool | None = None  # None: names only when there are several values

    def shown(self, value: float, unit: str, decimals: int | None) -> tuple[str, str | None]:
        """The text and colour of `value`: its mapping's, else its unit's and threshold's."""
        for mapping in self.mappings:
            if mapping.matches(value):
                return mapping.text, mapping.colour or self._threshold(value)
        return format_value(value, unit, decimals), self._threshold(value)

    def _threshold(self, value: float) -> str | None:
        reached = [hue for at, hue in self.thresholds if not math.isnan(value) and value >= at]
        return reached[-1] if reached else None


def _result(raw: object) -> tuple[str, str | None] | None:
    if not isinstance(raw, Mapping):
        return None
    text = raw.get("text")
    return (text if isinstance(text, str) else ""), colour(raw.get("color"))


def _mapping(kind: object, options: Mapping[str, Any]) -> list[ValueMap]:
    """The mappings one entry of `mappings` makes (a "value" entry maps several values)."""
    if kind == "value":
        pairs = [(_number(key), _result(result)) for key, result in options.items()]
        return [ValueMap(v, v, *shown) for v, shown in pairs if v is not None and shown]
    shown = _result(options.get("result"))
    if shown is None:
        return []
    if kind == "range":
        low, high = _number(options.get("from")), _number(options.get("to"))
        low, high = -math.inf if low is None else low, math.inf if high is None else high
        return [ValueMap(low, high, *shown)]
    if kind == "special" and str(options.get("match", "")).endswith("nan"):  # nan, null+nan
        return [ValueMap(math.inf, -math.inf, *shown, nan=True)]
    return []


def _mappings(raw: object) -> list[ValueMap]:
    found: list[ValueMap] = []
    for mapping in raw if isinstance(raw, list) else []:
        options = mapping.get("options") if isinstance(mapping, Mapping) else None
        if isinstance(options, Mapping):
            found += _mapping(mapping.get("type"), options)
    return [m for m in found if m.text and (m.nan or m.low <= m.high)]


def _steps(raw: object) -> tuple[tuple[float, str], ...]:
    thresholds = raw.get("steps") if isinstance(raw, Mapping) else None
    steps: list[tuple[float, str]] = []
    for step in thresholds if isinstance(thresholds, list) else []:
        if not isinstance(step, Mapping) or (hue := colour(step.get("color"))) is None:
            continue
        at = -math.inf if step.get("value") is None else _number(step.get("value"))
        if at is not None:
            steps.append((at, hue))
    return tuple(sorted(steps))


def value_style(defaults: Mapping[str, Any], options: object) -> ValueStyle:
    """The style of a stat panel from its `fieldConfig.defaults` and `options`."""
    chosen: Mapping[str, Any] = options if isinstance(options, Mapping) else {}
    text_mode = chosen.get("textMode")
    names = {"value": False, "value_and_name": True, "name": True}.get(str(text_mode))
    return ValueStyle(
        mappings=tuple(_mappings(defaults.get("mappings"))),
        thresholds=_steps(defaults.get("thresholds")),
        background=chosen.get("colorMode") == "background",
        names=names,
    )
