"""`joinedup schemas list|check-compat`: the event contract from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from schemas.catalogue import Catalogue
from schemas.compatibility import check_catalogue, repository_root

schemas_app = typer.Typer(
    help="The event contract: list the event schemas, check their compatibility.",
    no_args_is_help=True,
)
console = Console(stderr=True)


@schemas_app.command("list")
def list_schemas() -> None:
    """List every event type with its domain, registry subject and field count."""
    catalogue = Catalogue.load()
    table = Table("event type", "domain", "subject", "fields")
    for event_type in catalogue.event_types:
        fields = catalogue.field_classes(event_type)
        table.add_row(
            event_type,
            catalogue.domain(event_type),
            catalogue.subject(event_type),
            str(len(fields)),
        )
    out = Console()
    # Rich shortens cells to fit the terminal (80 columns off one); names must read whole.
    out.width = max(out.width, out.measure(table, options=out.options.update_width(10_000)).maximum)
    out.print(table)


@schemas_app.command("check-compat")
def check_compat(
    repo: Annotated[
        Path | None,
        typer.Option(help="Git work tree holding the schema history (default: this checkout)."),
    ] = None,
) -> None:
    """Check every schema against each earlier committed version (BACKWARD_TRANSITIVE)."""
    catalogue = Catalogue.load()
    root = repo or repository_root(Path(__file__).resolve().parent)
    if root is None:
        console.print("Not in a git repository: no earlier versions to compare against.")
    report = check_catalogue(catalogue, root)
    for problem in report.problems:
        console.print(f"[red]INCOMPATIBLE[/red] {problem}", highlight=False, soft_wrap=True)
    if not report.compatible:
        console.print(
            f"{len(report.problems)} incompatible change(s): add a default to new fields, "
            "keep old enum symbols, or publish a new event type instead."
        )
        raise typer.Exit(1)
    console.print(
        f"{report.schemas_checked} schemas are compatible with their "
        f"{report.versions_checked} earlier committed version(s) (BACKWARD_TRANSITIVE)."
    )
