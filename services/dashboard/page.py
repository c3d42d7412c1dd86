"""The dashboard as one HTML page: rows of panels on Grafana's 24-column grid, drawn as SVG.

No script: the pictures are inline SVG drawn on the server, the page asks
the browser to reload it every `REFRESH_S` seconds, and the time ranges
are plain links. Every text that came from the dashboard file or from
Prometheus is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from services.dashboard.board import PanelView, RowView
from services.dashboard.charts import stat_picture, timeseries_picture
from services.dashboard.scales import Window
from services.dashboard.svg import safe_text

PAGE_TITLE: Final = "Joined-up - operations"
REFRESH_S: Final = 10
CURRENT: Final = ' aria-current="page"'
RANGES: Final = ((15, "15 min"), (30, "30 min"), (60, "1 h"), (360, "6 h"), (1440, "24 h"))
STYLE: Final = """
body { font-family: system-ui, 'Segoe UI', Arial, sans-serif; margin: 0; color: #1b1b1b;
  background: #f4f5f7; }
header { padding: 12px 16px; background: #1b2a3a; color: #fff; }
header h1 { margin: 0 0 4px; font-size: 1.3rem; }
header p { margin: 0; font-size: 0.9rem; }
nav a { color: #fff; margin-right: 10px; }
nav a[aria-current] { font-weight: bold; text-decoration: none; }
main { padding: 8px 16px 24px; }
h2 { font-size: 1.05rem; margin: 16px 0 6px; }
.grid { display: grid; grid-template-columns: repeat(24, minmax(0, 1fr));
  grid-auto-rows: 36px; gap: 8px; }
.panel { background: #fff; border: 1px solid #c8ccd2; border-radius: 4px; padding: 4px 8px;
  display: flex; flex-direction: column; min-width: 0; overflow: hidden; }
.panel h3 { font-size: 0.9rem; margin: 2px 0 4px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.panel svg { flex: 1 1 auto; min-height: 0; width: 100%; }
.error { color: #8a1c1c; font-size: 0.8rem; margin: 2px 0; overflow-wrap: anywhere; }
.note { color: #505050; font-size: 0.8rem; margin: 2px 0; }
@media (max-width: 900px) {
  .panel { grid-column: 1 / -1 !important; grid-row: auto / span 8 !important; }
}
"""


def _picture(view: PanelView, window: Window) -> str:
    """The panel's picture: nothing when every query failed, a note for a kind not drawn."""
    panel = view.panel
    if panel.kind == "unsupported":
        kind = safe_text(panel.grafana_type)
        return f'<p class="note">Grafana\'s "{kind}" panel is not drawn here.</p>'
    if view.errors and not view.lines:
        return ""
    if panel.kind == "stat":
        return stat_picture(panel, view.lines)
    return timeseries_picture(panel, view.lines, window)


def panel_html(view: PanelView, window: Window, top: int) -> str:
    """One panel placed on the grid (`top`: the grid row its row of the dashboard starts at)."""
    grid, title = view.panel.grid, safe_text(view.panel.title)
    hint = safe_text(view.panel.description or view.panel.title)
    place = (
        f"grid-column: {grid.x + 1} / span {grid.w}; grid-row: {grid.y - top + 1} / span {grid.h}"
    )
    parts = [f'<article class="panel" style="{place}">', f'<h3 title="{hint}">{title}</h3>']
    parts += [f'<p class="error">{safe_text(error)}</p>' for error in view.errors]
    parts.append(_picture(view, window))
    if view.omitted:
        parts.append(f'<p class="note">{view.omitted} more series not drawn.</p>')
    parts.append("</article>")
    return "\n".join(part for part in parts if part)


def _row_html(row: RowView, window: Window) -> str:
    top = min((view.panel.grid.y for view in row.panels), default=0)
    heading = f"<h2>{safe_text(row.title)}</h2>" if row.title else ""
    panels = "\n".join(panel_html(view, window, top) for view in row.panels)
    return f'<section>{heading}<div class="grid">\n{panels}\n</div></section>'


def _ranges(minutes: int) -> str:
    links = [
        f'<a href="?minutes={value}"{CURRENT if value == minutes else ""}>{label}</a>'
        for value, label in RANGES
    ]
    return f'<nav aria-label="time range">{"".join(links)}</nav>'


def _document(body: str, refresh_s: int | None) -> str:
    refresh = "" if refresh_s is None else f'<meta http-equiv="refresh" content="{refresh_s}">'
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'{refresh}\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{PAGE_TITLE}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n"
        "</body>\n</html>\n"
    )


def render_page(
    dashboard_title: str,
    rows: Sequence[RowView],
    window: Window,
    *,
    refresh_s: int | None = REFRESH_S,
) -> str:
    """The whole page: header, time ranges, each row's panels.

    `refresh_s` None makes a snapshot: a page that neither reloads nor links other ranges.
    """
    minutes = window.range_s // 60
    until = window.end.strftime("%Y-%m-%d %H:%M:%S UTC")
    about = (
        f"{safe_text(dashboard_title) or 'Dashboard'}: the last {minutes} minutes to {until},"
        f" a point every {window.step_s} s"
    )
    if refresh_s is not None:
        about += f"; reloads every {refresh_s} s"
    ranges = "" if refresh_s is None else _ranges(minutes)
    header = f"<header><h1>{PAGE_TITLE}</h1><p>{about}.</p>{ranges}</header>"
    main = (
        "\n".join(_row_html(row, window) for row in rows) or "<p>The dashboard has no panels.</p>"
    )
    return _document(f"{header}\n<main>\n{main}\n</main>", refresh_s)


def error_page(message: str, *, refresh_s: int | None = REFRESH_S) -> str:
    """A page saying why the dashboard cannot be drawn (e.g. its file lacks a field)."""
    header = f"<header><h1>{PAGE_TITLE}</h1></header>"
    body = f'<main><p class="error">The dashboard cannot be drawn: {safe_text(message)}</p></main>'
    return _document(f"{header}\n{body}", refresh_s)
