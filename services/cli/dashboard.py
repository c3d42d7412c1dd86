"""`joinedup dashboard serve|snapshot`: the Grafana dashboard's panels drawn from Prometheus."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from services.cli.exceptions import CliError
from services.cli.serve_options import Host, Port
from services.cli.serving import serve_app
from services.dashboard.board import BoardOptions, RowView, gather_board
from services.dashboard.page import render_page
from services.dashboard.panels import Dashboard, load_dashboard
from services.dashboard.prometheus import PrometheusClient
from services.dashboard.settings import DashboardSettings
from services.dashboard.web import DEFAULT_MINUTES, MOST_MINUTES, build_dashboard_app, utc_now

dashboard_app = typer.Typer(
    help="The operations dashboard: Grafana's panels drawn from Prometheus, without Grafana.",
    no_args_is_help=True,
)

PrometheusUrl = Annotated[
    str | None,
    typer.Option(
        "--prometheus",
        help="Prometheus's URL (default: JOINEDUP_DASHBOARD_PROMETHEUS_URL).",
    ),
]
DashboardFile = Annotated[
    Path | None,
    typer.Option(
        "--dashboard",
        help="Grafana dashboard JSON to draw (default: JOINEDUP_DASHBOARD_DASHBOARD_FILE, "
        "else deploy/grafana/dashboards/joinedup.json).",
    ),
]


def _options(settings: DashboardSettings) -> BoardOptions:
    return BoardOptions(settings.max_series, settings.scrape_interval_s)


@dashboard_app.command()
def serve(
    *,
    prometheus: PrometheusUrl = None,
    dashboard: DashboardFile = None,
    host: Host = None,
    port: Port = None,
) -> None:
    """Serve the dashboard page until interrupted (default: JOINEDUP_DASHBOARD_HOST/PORT)."""
    settings = DashboardSettings()
    path = dashboard or settings.dashboard_path()
    load_dashboard(path)  # a file lacking a field is refused now, not at the first page
    url = prometheus or settings.prometheus_url
    host, port = host or settings.host, port or settings.port
    typer.echo(f"Dashboard {path} on http://{host}:{port}/, from Prometheus at {url}")
    serve_app(
        lambda: build_dashboard_app(
            lambda: load_dashboard(path),
            PrometheusClient.at(url, settings.query_timeout_s),
            _options(settings),
        ),
        host,
        port,
        timeout_graceful_shutdown=2,
    )


async def _draw(
    dashboard: Dashboard, url: str, settings: DashboardSettings, minutes: int
) -> tuple[str, list[RowView]]:
    options = _options(settings)
    prometheus = PrometheusClient.at(url, settings.query_timeout_s)
    try:
        window = options.window(minutes, utc_now())
        rows = await gather_board(dashboard, prometheus, window, options)
    finally:
        await prometheus.aclose()
    return render_page(dashboard.title, rows, window, refresh_s=None), rows


@dashboard_app.command()
def snapshot(
    *,
    out: Annotated[Path, typer.Option("--out", help="HTML file to write the page to.")],
    minutes: Annotated[
        int, typer.Option("--minutes", min=1, max=MOST_MINUTES, help="Minutes the panels draw.")
    ] = DEFAULT_MINUTES,
    prometheus: PrometheusUrl = None,
    dashboard: DashboardFile = None,
) -> None:
    """Write the dashboard page once, as it is now, to an HTML file (for reports).

    Exits 1, after writing, when every panel's queries failed (e.g. no Prometheus).
    """
    settings = DashboardSettings()
    board = load_dashboard(dashboard or settings.dashboard_path())
    url = prometheus or settings.prometheus_url
    page, rows = asyncio.run(_draw(board, url, settings, minutes))
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from exc
    views = [view for row in rows for view in row.panels if view.panel.targets]
    failed = [view for view in views if view.errors and not view.lines]
    typer.echo(f"wrote {out}: {len(views) - len(failed)} of {len(views)} panels drawn")
    if failed:
        typer.echo(f"first error: {failed[0].errors[0]}", err=True)
    if views and len(failed) == len(views):
        raise typer.Exit(1)
