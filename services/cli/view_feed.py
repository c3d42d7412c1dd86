"""`joinedup view-feed serve`: agency systems read their views over HTTP by cursor."""

from __future__ import annotations

import typer

from services.bus.logging import configure_logging
from services.cli.serve_options import BootstrapServers, Host, Port, RegistryUrl, bus_settings
from services.cli.serving import serve_app
from services.sdk.registry import registry_schema_source
from services.view_feed.bootstrap import build_view_feed
from services.view_feed.settings import ViewFeedSettings

view_feed_app = typer.Typer(
    help="HTTP view feed: agencies read what the bus disclosed to them, by cursor, long-polling.",
    no_args_is_help=True,
)


@view_feed_app.command()
def serve(
    *,
    host: Host = None,
    port: Port = None,
    bootstrap_servers: BootstrapServers = None,
    registry_url: RegistryUrl = None,
) -> None:
    """Serve GET /v1/views/{agency} until interrupted (default: JOINEDUP_VIEW_FEED_HOST/PORT)."""
    configure_logging()
    settings = bus_settings(bootstrap_servers, registry_url)
    options = ViewFeedSettings()
    serve_app(
        lambda: build_view_feed(settings, registry_schema_source(settings), options),
        host or options.host,
        port or options.port,
        timeout_graceful_shutdown=2,
    )
