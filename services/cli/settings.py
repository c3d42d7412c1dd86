"""`joinedup settings`: every `JOINEDUP_*` setting, its default and what it does."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from services.cli.settings_table import all_settings, markdown_table, replace_between_markers


def settings(
    ctx: typer.Context,
    *,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print a markdown table.")] = False,
    write_readme: Annotated[
        Path | None,
        typer.Option(
            help="Write the markdown table between the settings markers of this file.",
            exists=True,
            dir_okay=False,
            writable=True,
        ),
    ] = None,
) -> None:
    """List every JOINEDUP_* setting: variable, default and what it does."""
    found = all_settings(ctx.find_root().command)
    if write_readme is not None:
        text = write_readme.read_text(encoding="utf-8")
        updated = replace_between_markers(text, markdown_table(found))
        write_readme.write_text(updated, encoding="utf-8")
        state = "unchanged" if updated == text else "rewritten"
        Console(stderr=True).print(f"{write_readme}: settings table {state}", highlight=False)
        return
    if markdown:
        typer.echo(markdown_table(found), nl=False)
        return
    table = Table(title="JOINEDUP_* settings (environment variables)")
    for column in ("variable", "default", "description"):
        table.add_column(column, overflow="fold", no_wrap=column == "variable")
    for setting in found:
        table.add_row(setting.variable, setting.default, setting.description)
    Console().print(table)
