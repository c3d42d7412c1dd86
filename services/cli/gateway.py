"""`joinedup gateway serve`: the HTTP ingest gateway."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.bus.logging import configure_logging
from services.cli.serve_options import BootstrapServers, Host, Port, RegistryUrl, bus_settings
from services.cli.serving import serve_app
from services.gateway.bootstrap import GatewayOptions, build_gateway
from services.gateway.entrypoints.http import DEFAULT_MAX_BODY
from services.gateway.settings import GatewaySettings
from services.sdk.registry import registry_schema_source

gateway_app = typer.Typer(
    help="HTTP ingest gateway: agencies POST JSON events; the gateway resolves identities.",
    no_args_is_help=True,
)


@gateway_app.command()
def serve(  # noqa: PLR0913 - the shared serve options plus the gateway's own
    *,
    host: Host = None,
    port: Port = None,
    bootstrap_servers: BootstrapServers = None,
    registry_url: RegistryUrl = None,
    publishers: Annotated[
        Path | None,
        typer.Option(
            help="Publishers and their token digests (YAML); default: publishers.yaml "
            "in JOINEDUP_CONFIG_DIR, else the packaged one."
        ),
    ] = None,
    max_body_bytes: Annotated[int, typer.Option(help="Largest request body accepted.")] = (
        DEFAULT_MAX_BODY
    ),
) -> None:
    """Serve the gateway until interrupted (default address: JOINEDUP_GATEWAY_HOST/PORT)."""
    configure_logging()
    settings = bus_settings(bootstrap_servers, registry_url)
    address = GatewaySettings()
    options = GatewayOptions(publishers_file=publishers, max_body_bytes=max_body_bytes)
    serve_app(
        lambda: build_gateway(settings, registry_schema_source(settings), options),
        host or address.host,
        port or address.port,
    )
