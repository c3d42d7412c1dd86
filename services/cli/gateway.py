"""`joinedup gateway serve`: the HTTP ingest gateway."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.bus.logging import configure_logging
from services.bus.settings import BusSettings
from services.cli.serving import serve_app
from services.gateway.bootstrap import GatewayOptions, build_gateway
from services.gateway.domain.publishers import DEFAULT_FILE
from services.gateway.entrypoints.http import DEFAULT_MAX_BODY
from services.sdk.registry import registry_schema_source

gateway_app = typer.Typer(
    help="HTTP ingest gateway: agencies POST JSON events; the gateway resolves identities.",
    no_args_is_help=True,
)


@gateway_app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    publishers: Annotated[
        Path, typer.Option(help="Publishers and their token digests (YAML).")
    ] = DEFAULT_FILE,
    max_body_bytes: Annotated[int, typer.Option(help="Largest request body accepted.")] = (
        DEFAULT_MAX_BODY
    ),
) -> None:
    """Serve the gateway until interrupted (schemas from JOINEDUP_REGISTRY_URL)."""
    configure_logging()
    settings = BusSettings()
    options = GatewayOptions(publishers_file=publishers, max_body_bytes=max_body_bytes)
    serve_app(
        lambda: build_gateway(settings, registry_schema_source(settings), options), host, port
    )
