"""`joinedup simulate`: a synthetic authority's term on the demo's stack, checked against itself."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console

from services.bus.settings import BusSettings
from services.simulate.plan import SCALES, ScaleName, SimulationPlan, Via, new_run_id, parse_speed

console = Console(stderr=True)


def run_scale(  # noqa: PLR0913 - one argument per option of the command line
    scale: ScaleName,
    *,
    schools: int | None = None,
    pupils: int | None = None,
    weeks: int | None = None,
    start: dt.date | None = None,
    seed: int = 1,
    run_id: str | None = None,
    speed: str = "max",
    via: Via = "sdk",
    keep_running: bool = False,
) -> bool:
    """Start the broker, the database and the stack, simulate, report; True when it matched."""
    from services.cli.demo import ensure_broker  # noqa: PLC0415 - keeps --help fast
    from services.database.settings import DatabaseSettings  # noqa: PLC0415
    from services.demo.audit_index import ensure_database  # noqa: PLC0415
    from services.simulate.plan import default_start  # noqa: PLC0415
    from services.simulate.run import RunOptions  # noqa: PLC0415
    from services.simulate.session import calendar_of, run_simulation  # noqa: PLC0415

    settings = BusSettings()
    preset = SCALES[scale]
    plan = SimulationPlan(
        schools=schools or preset.schools,
        pupils=pupils or preset.pupils,
        weeks=weeks or preset.weeks,
        start=start or default_start(calendar_of(settings)),
        seed=seed,
        run_id=run_id or new_run_id(),
    )
    options = RunOptions(speed=parse_speed(speed))
    ensure_broker(settings)
    console.print(ensure_database(DatabaseSettings()))
    outcome = run_simulation(
        settings, plan, via=via, options=options, keep_running=keep_running, console=console
    )
    return outcome.matches


def simulate(  # noqa: PLR0913, PLR0917 - typer reads the command's options from its signature
    scale: Annotated[
        ScaleName,
        typer.Option(help="small: 3 schools, 120 pupils, 2 weeks; authority: 200, 60,000, 1."),
    ] = "small",
    schools: Annotated[
        int | None, typer.Option(min=1, help="Schools (default: the scale's).")
    ] = None,
    pupils: Annotated[
        int | None, typer.Option(min=1, help="Pupils (default: the scale's).")
    ] = None,
    weeks: Annotated[
        int | None, typer.Option(min=1, help="Weeks simulated (default: the scale's).")
    ] = None,
    start: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="First simulated day (default: the calendar's first Monday of term).",
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Fixes the authority and everything that happens in it.")
    ] = 1,
    run_id: Annotated[
        str | None, typer.Option(help="Twelve hex digits in every event id (default: a new one).")
    ] = None,
    speed: Annotated[
        str,
        typer.Option(
            help="max (as fast as the bus takes it), realtime, or simulated seconds per second."
        ),
    ] = "max",
    via: Annotated[
        Via, typer.Option(help="Publish with the SDK straight to Kafka, or through the gateway.")
    ] = "sdk",
    keep_running: Annotated[  # noqa: FBT002 - a command-line flag
        bool, typer.Option("--keep-running", help="Leave the services up for the web pages.")
    ] = False,
) -> None:
    """Simulate a synthetic authority's schools and pupils on the demo's stack; check the alerts."""
    matched = run_scale(
        scale,
        schools=schools,
        pupils=pupils,
        weeks=weeks,
        start=start.date() if start else None,
        seed=seed,
        run_id=run_id,
        speed=speed,
        via=via,
        keep_running=keep_running,
    )
    if not matched:
        raise typer.Exit(1)
