"""The options every `serve` command shares: where to bind, which cluster, which registry.

Each service's default address is a setting of its own (`joinedup settings`
lists them); `--bootstrap-servers` and `--registry-url` replace
`JOINEDUP_BOOTSTRAP_SERVERS` and `JOINEDUP_REGISTRY_URL` for one process.
"""

from __future__ import annotations

from typing import Annotated

import typer

from services.bus.settings import BusSettings

SHARED_OPTIONS = ("--host", "--port", "--bootstrap-servers", "--registry-url")

Host = Annotated[
    str | None,
    typer.Option(
        "--host",
        help="Address to bind (default: the service's own setting; `joinedup settings`).",
    ),
]
Port = Annotated[
    int | None,
    typer.Option(
        "--port",
        min=1,
        max=65535,
        help="Port to bind (default: the service's own setting; `joinedup settings`).",
    ),
]
BootstrapServers = Annotated[
    str | None,
    typer.Option(
        "--bootstrap-servers",
        help="Kafka cluster for this process (default: JOINEDUP_BOOTSTRAP_SERVERS).",
    ),
]
RegistryUrl = Annotated[
    str | None,
    typer.Option(
        "--registry-url",
        help="Schema registry for this process (default: JOINEDUP_REGISTRY_URL).",
    ),
]


def bus_settings(bootstrap_servers: str | None, registry_url: str | None) -> BusSettings:
    """The bus settings from the environment, with the options given in their place."""
    environment = BusSettings()
    return BusSettings(
        bootstrap_servers=bootstrap_servers or environment.bootstrap_servers,
        registry_url=registry_url or environment.registry_url,
    )
