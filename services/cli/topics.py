"""`joinedup topics apply|show`: every platform topic as the topic policy says."""

from __future__ import annotations

from typing import Annotated

import typer

from services.bus.settings import BusSettings
from services.cli.acl import AgenciesFile
from services.governance import handlers

topics_app = typer.Typer(
    help="Platform topics: partitions, replicas, retention from the topic policy.",
    no_args_is_help=True,
)


@topics_app.command()
def apply(
    *,
    agencies: AgenciesFile = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the changes without making them.")
    ] = False,
) -> None:
    """Create missing topics and reconcile configs (+ created, ~ changed, - unset, ! warning)."""
    for line in handlers.apply_topics(BusSettings(), agencies, dry_run=dry_run):
        typer.echo(line)


@topics_app.command()
def show(*, agencies: AgenciesFile = None) -> None:
    """Print each platform topic's family, partitions, replicas and policy configs."""
    for line in handlers.show_topics(BusSettings(), agencies):
        typer.echo(line)
