"""`joinedup registry serve|register-all`: the embedded schema registry from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.console import Console

from schemas.catalogue import AVRO_DIR
from schemas.registry_client import RegistryClient
from schemas.registry_errors import RegistryRequestError
from services.bus import topics
from services.bus.logging import configure_logging
from services.bus.settings import BusSettings
from services.cli.serve_options import BootstrapServers, Host, Port, RegistryUrl, bus_settings

registry_app = typer.Typer(
    help="The embedded Confluent-compatible schema registry.", no_args_is_help=True
)
console = Console(stderr=True)


@registry_app.command()
def serve(
    *,
    host: Host = None,
    port: Port = None,
    bootstrap_servers: BootstrapServers = None,
    registry_url: RegistryUrl = None,
    topic: Annotated[str, typer.Option(help="Compacted topic holding the schemas.")] = (
        topics.SCHEMAS
    ),
) -> None:
    """Serve the registry's REST API, backed by the schemas topic, until interrupted.

    The default address is the host and port of JOINEDUP_REGISTRY_URL (or --registry-url).
    """
    import uvicorn  # noqa: PLC0415 - only the serving command needs the server

    from services.registry.bootstrap import build_app  # noqa: PLC0415 - keeps `--help` fast

    configure_logging()
    settings = bus_settings(bootstrap_servers, registry_url)
    address = urlsplit(settings.registry_url)
    bound_host = host or address.hostname or "127.0.0.1"
    bound_port = port or address.port or 18081
    console.print(f"Schema registry on http://{bound_host}:{bound_port} backed by topic {topic}")
    uvicorn.run(
        build_app(settings, topic=topic), host=bound_host, port=bound_port, log_level="warning"
    )


def subject_and_text(path: Path) -> tuple[str, str]:
    """The subject (`<namespace>.<name>`) and compact text of one .avsc file."""
    definition = json.loads(path.read_text(encoding="utf-8"))
    name = str(definition["name"])
    namespace = definition.get("namespace")
    subject = name if "." in name or not namespace else f"{namespace}.{name}"
    return subject, json.dumps(definition, separators=(",", ":"), ensure_ascii=False)


@registry_app.command("register-all")
def register_all(
    url: Annotated[
        str | None, typer.Option(help="Registry URL (default: JOINEDUP_REGISTRY_URL).")
    ] = None,
    root: Annotated[Path, typer.Option(help="Directory of .avsc files.")] = AVRO_DIR,
) -> None:
    """Register every .avsc under the schema directory, subject `<namespace>.<name>`."""
    target = url or BusSettings().registry_url
    paths = sorted(root.glob("**/*.avsc"))
    refused = 0
    with RegistryClient(target) as client:
        for path in paths:
            subject, text = subject_and_text(path)
            try:
                schema_id = client.register(subject, text)
            except RegistryRequestError as exc:
                refused += 1
                console.print(f"[red]REFUSED[/red] {subject}: {exc.registry_message}")
                continue
            console.print(f"{subject} -> id {schema_id}", highlight=False)
    console.print(f"{len(paths) - refused} of {len(paths)} schema(s) registered at {target}")
    if refused:
        raise typer.Exit(1)
