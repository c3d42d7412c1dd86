"""`joinedup acl apply|show|provision`: who may do what on the cluster, as data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.bus.settings import BusSettings
from services.governance import handlers

acl_app = typer.Typer(
    help="Kafka ACLs of the bus's principals (services and agencies).", no_args_is_help=True
)

AgenciesFile = Annotated[
    Path | None,
    typer.Option(
        "--agencies",
        help="Agency directory (YAML); unset: agencies.yaml of the configuration.",
        exists=True,
        dir_okay=False,
    ),
]


def _echo(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


@acl_app.command()
def apply(
    *,
    agencies: AgenciesFile = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the changes without making them.")
    ] = False,
    retire: Annotated[
        list[str] | None,
        typer.Option(help="An agency gone from the directory whose ACLs are removed (repeat)."),
    ] = None,
) -> None:
    """Reconcile the cluster's ACLs with the principals' (prints + added, - removed)."""
    _echo(handlers.apply_acls(BusSettings(), agencies, retire=retire or (), dry_run=dry_run))


@acl_app.command()
def show() -> None:
    """List every ACL binding on the cluster."""
    _echo(handlers.show_acls(BusSettings()))


@acl_app.command()
def provision(*, agencies: AgenciesFile = None) -> None:
    """Create the local broker's missing SCRAM users and their client files (kept if present)."""
    _echo(handlers.provision(BusSettings(), agencies))


@acl_app.command()
def table(
    write: Annotated[
        Path | None, typer.Option(help="Rewrite the table between the markers of this page.")
    ] = None,
) -> None:
    """The principals' access as a markdown table (docs/security.md holds it)."""
    from services.governance.access_table import access_table, replace_table  # noqa: PLC0415

    generated = access_table()
    if write is None:
        typer.echo(generated, nl=False)
        return
    write.write_text(replace_table(write.read_text(encoding="utf-8"), generated), encoding="utf-8")
    typer.echo(f"{write}: access table rewritten")
