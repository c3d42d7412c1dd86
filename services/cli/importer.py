"""`joinedup import attendance FILE`: a school register (CSV) as AttendanceMarked events."""

from __future__ import annotations

import asyncio
import csv
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from services.audit.rows import csv_cell
from services.bus.settings import BusSettings
from services.sdk.attendance_csv import RegisterFormatError, read_register
from services.sdk.identity import IdentityClient
from services.sdk.importing import AttendanceImporter, EventSink, ImportSummary
from services.sdk.publisher import Publisher
from services.sdk.registry import registry_schema_source
from services.sdk.sinks import GatewaySink, KafkaSink

import_app = typer.Typer(help="Bulk imports of agency records.", no_args_is_help=True)
console = Console(stderr=True)
REJECTED_COLUMNS = ("rejected_field", "rejected_rule")


def rejected_path(source: Path) -> Path:
    """Where the rejected rows of `source` are written: `<file>.rejected.csv`."""
    return source.with_name(f"{source.name}.rejected.csv")


def write_rejected(source: Path, header: list[str], summary: ImportSummary) -> Path:
    """Write each rejected row as it was, plus the field and the rule it broke.

    A cell opening with a formula character gets a leading quote (services/audit/rows.py):
    the file goes back to the school's office, whose spreadsheet must not run it.
    """
    problems = {problem.row: problem for problem in summary.rejected}
    target = rejected_path(source)
    with (
        source.open(newline="", encoding="utf-8-sig") as original,
        target.open("w", newline="", encoding="utf-8") as out,
    ):
        writer = csv.writer(out)
        writer.writerow([csv_cell(cell) for cell in [*header, "row", *REJECTED_COLUMNS]])
        for number, cells in enumerate(csv.reader(original), start=1):
            problem = problems.get(number)
            if problem is not None:
                row = [*cells, number, problem.field, problem.rule]
                writer.writerow([csv_cell(cell) for cell in row])
    return target


@dataclass(frozen=True)
class ImportRequest:
    """What to import and where to send it."""

    agency: str
    gateway: str | None
    token: str | None
    direct: bool
    batch: int


async def _import(
    name: str, lines: list[str], request: ImportRequest
) -> tuple[list[str], ImportSummary]:
    agency, gateway, token = request.agency, request.gateway, request.token
    header, rows = read_register(lines)
    async with AsyncExitStack() as stack:
        identity = None
        client = None
        if gateway and token:
            client = httpx.AsyncClient(base_url=gateway, timeout=60.0)
            await stack.enter_async_context(client)
            identity = IdentityClient(gateway, token, agency=agency, client=client)
        sink: EventSink
        if request.direct:
            settings = BusSettings()
            publisher = Publisher.connect(settings, agency, registry_schema_source(settings))
            sink = KafkaSink(await stack.enter_async_context(publisher))
        elif client is not None and token is not None:
            sink = GatewaySink(client, token)
        else:
            raise typer.BadParameter("give --gateway and --token, or --direct")
        importer = AttendanceImporter(agency, sink, identity, batch_size=request.batch)
        with Progress(console=console, transient=False) as progress:
            task = progress.add_task(f"importing {name}", total=max(len(lines) - 1, 0))
            summary = await importer.run(rows, lambda n: progress.advance(task, n))
    return header, summary


@import_app.command()
def attendance(  # noqa: PLR0913, PLR0917 - typer reads the command's options from its signature
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Register CSV.")],
    agency: Annotated[str, typer.Option(help="Agency id the school publishes as.")],
    gateway: Annotated[
        str | None, typer.Option(help="Gateway URL (identity, and events unless --direct).")
    ] = None,
    token: Annotated[
        str | None, typer.Option(envvar="JOINEDUP_GATEWAY_TOKEN", help="Gateway bearer token.")
    ] = None,
    direct: Annotated[  # noqa: FBT002 - a command-line flag
        bool, typer.Option(help="Publish straight to Kafka with the SDK (not via the gateway).")
    ] = False,
    batch: Annotated[int, typer.Option(help="Events per request / producer batch.")] = 500,
) -> None:
    """Import register marks; rejected rows go to FILE.rejected.csv with the reason."""
    try:
        request = ImportRequest(agency, gateway, token, direct, batch)
        lines = file.read_text(encoding="utf-8-sig").splitlines()
        header, summary = asyncio.run(_import(file.name, lines, request))
    except RegisterFormatError as exc:
        console.print(f"[red]{file.name}: {exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"accepted: {summary.accepted}  rejected: {len(summary.rejected)}")
    if summary.rejected:
        table = Table("row", "field", "rule")
        for problem in summary.rejected:
            table.add_row(str(problem.row), problem.field, problem.rule)
        console.print(table)
        console.print(f"rejected rows written to {write_rejected(file, header, summary)}")
        raise typer.Exit(1)
