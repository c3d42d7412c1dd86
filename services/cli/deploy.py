"""`joinedup deploy render`: Strimzi resources for Kubernetes from the project's own data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.bus.settings import BusSettings
from services.cli.acl import AgenciesFile
from services.deploy.render import DEFAULT_OUT, RenderOptions, render, stale_files, write_files

deploy_app = typer.Typer(
    help="Deployment on Kubernetes (Strimzi): resources rendered from the project's data.",
    no_args_is_help=True,
)


@deploy_app.command("render")
def render_command(  # noqa: PLR0913 - one option per deployment choice
    *,
    out: Annotated[
        Path, typer.Option(help="Folder of the rendered files.", file_okay=False)
    ] = DEFAULT_OUT,
    namespace: Annotated[str, typer.Option(help="Namespace of the resources.")] = "joinedup",
    cluster: Annotated[str, typer.Option(help="Name of the Strimzi Kafka cluster.")] = "joinedup",
    brokers: Annotated[
        int, typer.Option(help="Brokers of the cluster: replicas are min(3, brokers).")
    ] = 3,
    partitions: Annotated[
        int | None,
        typer.Option(
            help="Partitions of topics the policy leaves unset (default: "
            "JOINEDUP_DEFAULT_PARTITIONS); workers scale up to this many."
        ),
    ] = None,
    agencies: AgenciesFile = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 when the folder's files differ."),
    ] = False,
) -> None:
    """Write a KafkaTopic per platform topic and a KafkaUser (SCRAM, ACLs) per principal."""
    options = RenderOptions(
        namespace=namespace,
        cluster=cluster,
        brokers=brokers,
        partitions=partitions,
        agencies_file=agencies,
    )
    files = render(BusSettings(), options)
    if not check:
        for line in write_files(out, files):
            typer.echo(line)
        return
    stale = stale_files(out, files)
    for path in stale:
        typer.echo(f"{path}: differs from a fresh render (run `joinedup deploy render`)")
    if stale:
        raise typer.Exit(1)
    typer.echo(f"{out}: up to date")
