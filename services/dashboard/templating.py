"""Grafana's text substitutions: variables and interval macros in queries, labels in legends.

A query may name the dashboard's variables (`$agency`, `${agency}`,
`[[agency]]`) and Grafana's macros (`$__interval`, `$__rate_interval`,
`$__range`...): they are replaced as Grafana would for the time window
drawn. A name neither defines is left as written, so Prometheus reports
it. A legend format names series labels (`{{topic}}`, `{{ topic }}`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

VARIABLE: Final = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)\]\]|\$(\w+)")
LEGEND_LABEL: Final = re.compile(r"\{\{\s*(\w+)\s*\}\}")
AUTO_LEGENDS: Final = ("", "__auto")
NAME_LABEL: Final = "__name__"
RATE_SCRAPES: Final = 4  # $__rate_interval covers at least four scrapes


@dataclass(frozen=True)
class Interval:
    """The window a query is drawn over, in whole seconds: its length and its step."""

    range_s: int
    step_s: int
    scrape_s: int

    def macros(self) -> dict[str, str]:
        """Grafana's interval macros for this window (`$__rate_interval` as Grafana defines it)."""
        rate = max(self.step_s + self.scrape_s, RATE_SCRAPES * self.scrape_s)
        return {
            "__interval": f"{self.step_s}s",
            "__interval_ms": str(self.step_s * 1000),
            "__rate_interval": f"{rate}s",
            "__rate_interval_ms": str(rate * 1000),
            "__range": f"{self.range_s}s",
            "__range_s": str(self.range_s),
            "__range_ms": str(self.range_s * 1000),
        }


def step_for(range_s: int, points: int, scrape_s: int) -> int:
    """A query step giving about `points` points over `range_s`, never finer than a scrape."""
    return max(math.ceil(range_s / max(points, 1)), scrape_s, 1)


def interpolate(expr: str, variables: Mapping[str, str], interval: Interval) -> str:
    """`expr` with the dashboard's variables and Grafana's macros replaced."""
    values = {**variables, **interval.macros()}

    def replace(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group is not None)
        return values.get(name, match[0])

    return VARIABLE.sub(replace, expr)


def legend(legend_format: str, labels: Mapping[str, str], expr: str) -> str:
    """A series' name in the legend: the format with `{{label}}` filled, else its label set."""
    if legend_format.strip() not in AUTO_LEGENDS:
        return LEGEND_LABEL.sub(lambda match: labels.get(match[1], ""), legend_format)
    name = labels.get(NAME_LABEL, "")
    others = ", ".join(
        f'{key}="{value}"' for key, value in sorted(labels.items()) if key != NAME_LABEL
    )
    if others:
        return f"{name}{{{others}}}"
    return name or expr
