"""A Grafana dashboard's JSON read into typed panels: rows, titles, kinds, queries, units.

Only what drawing needs is read: `panels[]` (rows are panels of type
"row"; a collapsed row holds its panels in its own `panels`), each panel's
`title`, `type`, `gridPos`, `targets[].expr` and `legendFormat`, and
`fieldConfig.defaults.unit` / `decimals`, and a stat's looks (mappings,
thresholds: services/dashboard/styling.py); `templating.list` gives the
variables' current values. A missing or mistyped field is one error naming
the file and the field's path, e.g. `panels[3].gridPos.w`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from services.dashboard.exceptions import DashboardFileError
from services.dashboard.styling import ValueStyle, value_style

PanelKind = Literal["timeseries", "stat", "unsupported"]
KINDS: Final[Mapping[str, PanelKind]] = {
    "timeseries": "timeseries",
    "graph": "timeseries",  # Grafana's panel before timeseries, same queries
    "stat": "stat",
    "gauge": "stat",  # one value per series, drawn as a number
}
ALL_VALUES: Final = ".*"  # "All" of a variable without an allValue: match every value


@dataclass(frozen=True)
class GridPos:
    """Where a panel sits on Grafana's grid: 24 columns wide, rows of one height unit."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Target:
    """One PromQL query of a panel and how its series are named in the legend."""

    expr: str
    legend_format: str = ""
    ref_id: str = ""


@dataclass(frozen=True)
class Panel:
    """A drawable panel: a line chart (timeseries) or a number per series (stat)."""

    title: str
    kind: PanelKind
    grafana_type: str
    grid: GridPos
    targets: tuple[Target, ...]
    unit: str = ""
    decimals: int | None = None
    style: ValueStyle = field(default_factory=ValueStyle)
    description: str = ""


@dataclass(frozen=True)
class Row:
    """A titled group of panels (the panels before the first row have an empty title)."""

    title: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True)
class Dashboard:
    """The rows of panels to draw and the values of the dashboard's variables."""

    title: str
    rows: tuple[Row, ...]
    variables: Mapping[str, str] = field(default_factory=dict)

    @property
    def panels(self) -> tuple[Panel, ...]:
        """Every panel, row by row."""
        return tuple(panel for row in self.rows for panel in row.panels)


class _Reader:
    """Reads fields of the JSON, raising errors that name the file and the field's path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> DashboardFileError:
        return DashboardFileError(f"{self.source}: {where}: {problem}")

    def mapping(self, value: object, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, "an object is needed")
        return value

    def items(self, parent: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = parent.get(key)
        if not isinstance(value, list):
            problem = "missing" if value is None else "not a list"
            raise self.fail(f"{where}{key}", f"{problem} (a list is needed)")
        return value

    def text(self, parent: Mapping[str, Any], key: str, where: str, default: str | None) -> str:
        value = parent.get(key, default)
        if value is None:
            raise self.fail(f"{where}{key}", "missing (a string is needed)")
        if not isinstance(value, str):
            raise self.fail(f"{where}{key}", "not a string")
        return value

    def whole(self, parent: Mapping[str, Any], key: str, where: str) -> int:
        value = parent.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            problem = "missing" if value is None else "not a whole number"
            raise self.fail(f"{where}{key}", f"{problem} (a whole number is needed)")
        return value

    def grid(self, panel: Mapping[str, Any], where: str) -> GridPos:
        spot = self.mapping(panel.get("gridPos"), f"{where}gridPos")
        inner = f"{where}gridPos."
        grid = GridPos(*(self.whole(spot, key, inner) for key in ("x", "y", "w", "h")))
        if grid.w < 1 or grid.h < 1 or grid.x < 0 or grid.y < 0 or grid.x + grid.w > 24:
            raise self.fail(f"{where}gridPos", "outside Grafana's 24-column grid")
        return grid

    def targets(self, panel: Mapping[str, Any], where: str) -> tuple[Target, ...]:
        found: list[Target] = []
        for number, raw in enumerate(self.items(panel, "targets", where)):
            inner = f"{where}targets[{number}]."
            target = self.mapping(raw, inner.rstrip("."))
            if target.get("hide") is True:
                continue
            expr = self.text(target, "expr", inner, None).strip()
            if not expr:
                raise self.fail(f"{inner}expr", "empty (a PromQL query is needed)")
            legend = self.text(target, "legendFormat", inner, "")
            found.append(Target(expr, legend, self.text(target, "refId", inner, "")))
        return tuple(found)

    def panel(self, raw: object, where: str) -> Panel:
        panel = self.mapping(raw, where.rstrip("."))
        grafana_type = self.text(panel, "type", where, None)
        kind = KINDS.get(grafana_type, "unsupported")
        targets = self.targets(panel, where) if kind != "unsupported" else ()
        config = panel.get("fieldConfig")
        defaults = config.get("defaults") if isinstance(config, Mapping) else None
        defaults = defaults if isinstance(defaults, Mapping) else {}
        unit = self.text(defaults, "unit", f"{where}fieldConfig.defaults.", "")
        decimals = defaults.get("decimals")
        return Panel(
            title=self.text(panel, "title", where, ""),
            kind=kind,
            grafana_type=grafana_type,
            grid=self.grid(panel, where),
            targets=targets,
            unit=unit,
            decimals=decimals if isinstance(decimals, int) and 0 <= decimals <= 10 else None,
            style=value_style(defaults, panel.get("options")),
            description=self.text(panel, "description", where, ""),
        )


def _variables(dashboard: Mapping[str, Any]) -> dict[str, str]:
    """The current value of each templating variable, as text to put into a query."""
    templating = dashboard.get("templating")
    listed = templating.get("list") if isinstance(templating, Mapping) else None
    values: dict[str, str] = {}
    for variable in listed if isinstance(listed, list) else []:
        if not isinstance(variable, Mapping) or not isinstance(variable.get("name"), str):
            continue
        current = variable.get("current")
        value = current.get("value") if isinstance(current, Mapping) else None
        chosen = (
            [value] if isinstance(value, str) else [v for v in value or () if isinstance(v, str)]
        )
        if "$__all" in chosen:
            all_value = variable.get("allValue")
            values[variable["name"]] = all_value if isinstance(all_value, str) else ALL_VALUES
        elif len(chosen) == 1:
            values[variable["name"]] = chosen[0]
        elif chosen:
            values[variable["name"]] = "(" + "|".join(chosen) + ")"
    return values


def parse_dashboard(data: object, source: str = "dashboard") -> Dashboard:
    """The dashboard in Grafana's JSON `data` (bare, or wrapped as the HTTP API's `dashboard`)."""
    reader = _Reader(source)
    dashboard = reader.mapping(data, "the top level")
    if "panels" not in dashboard and isinstance(dashboard.get("dashboard"), Mapping):
        dashboard = dashboard["dashboard"]
    rows: list[Row] = []
    title, panels = "", list[Panel]()
    for number, raw in enumerate(reader.items(dashboard, "panels", "")):
        where = f"panels[{number}]."
        item = reader.mapping(raw, where.rstrip("."))
        if item.get("type") != "row":
            panels.append(reader.panel(item, where))
            continue
        if panels or title:
            rows.append(Row(title, tuple(panels)))
        title, panels = reader.text(item, "title", where, ""), []
        nested = item.get("panels") or []  # a collapsed row keeps its panels here
        nested_where = f"{where}panels"
        for inner, panel in enumerate(reader.items({"panels": nested}, "panels", where)):
            panels.append(reader.panel(panel, f"{nested_where}[{inner}]."))
    if panels or title:
        rows.append(Row(title, tuple(panels)))
    return Dashboard(
        title=reader.text(dashboard, "title", "", ""),
        rows=tuple(rows),
        variables=_variables(dashboard),
    )


def load_dashboard(path: Path) -> Dashboard:
    """The dashboard in the JSON file at `path` (errors name the file, the line or the field)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DashboardFileError(f"cannot read the dashboard {path}: {reason}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"{path}: not JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        raise DashboardFileError(message) from exc
    return parse_dashboard(data, str(path))
