"""A whole simulation: the authority's configuration, the stack, the run, the report.

The authority's schools are known from the plan alone, so its configuration
is written and the stack started first; then the identifiers already linked
on the bus are read (through the registry the stack runs), the pupils made,
and the days played. Development only: a synthetic authority has no place on
a production bus.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

from confluent_kafka import KafkaException
from rich.console import Console

from schemas.codec import AvroCodec
from services.bus.kafka import ensure_topics
from services.bus.settings import BusSettings
from services.config.files import config_file, deployment_file
from services.sdk.registry import registry_schema_source
from services.simulate.broker_reading import Offsets
from services.simulate.events import EventIds
from services.simulate.exceptions import SimulationError
from services.simulate.expectation import Expectation
from services.simulate.live import Stats
from services.simulate.observe import Observer
from services.simulate.plan import SimulationPlan, Via, check_plan
from services.simulate.publishing import GatewaySink, SdkSink
from services.simulate.rates import load_rates
from services.simulate.report import Outcome, print_report
from services.simulate.run import RunOptions, Simulation
from services.simulate.stack import (
    Directory,
    Stack,
    agency_topics,
    create_agreements,
    remove_topics,
    start_stack,
    token_of,
    write_config,
)
from services.simulate.taken import synthetic_identifiers_in_use
from services.simulate.timeline import Timeline, World, build_world, schools_of
from services.thresholds.adapters.register_codes import register_codes
from services.thresholds.domain.calendar import DEFAULT_CALENDAR, SchoolCalendar, load_calendar
from services.thresholds.domain.rules import DEFAULT_RULES, load_rules
from services.thresholds.settings import ThresholdsSettings


def calendar_of(settings: BusSettings) -> SchoolCalendar:
    """The school calendar the services load (the deployment's, else the packaged one)."""
    return load_calendar(config_file(settings, DEFAULT_CALENDAR))


def run_simulation(  # noqa: PLR0913 - each is one choice of the command line
    settings: BusSettings,
    plan: SimulationPlan,
    *,
    via: Via,
    options: RunOptions,
    keep_running: bool,
    console: Console,
) -> Outcome:
    """Start the stack on the authority, play the plan, print the report, stop the stack."""
    if settings.mode == "production":
        raise SimulationError("joinedup simulate runs in development mode only")
    check_plan(plan, calendar_of(settings), dt.datetime.now(dt.UTC).date())
    folder = settings.home / "simulate" / plan.run_id
    directory = write_config(settings, schools_of(plan), folder / "config")
    ours = settings.model_copy(update={"config_dir": folder / "config"})
    schools = [agency for agency, kind in directory.kinds.items() if kind == "school"]
    run_topics = agency_topics(schools)
    asyncio.run(ensure_topics(settings, run_topics))
    console.print(
        f"Synthetic authority: {plan.schools} schools, {plan.pupils:,} pupils; "
        f"configuration and logs in {folder}"
    )
    try:
        return _on_stack(
            ours,
            plan,
            directory,
            folder,
            via=via,
            options=options,
            keep_running=keep_running,
            console=console,
        )
    finally:
        _remove_topics(settings, run_topics, console)


def _on_stack(  # noqa: PLR0913 - the run and its choices
    settings: BusSettings,
    plan: SimulationPlan,
    directory: Directory,
    folder: Path,
    *,
    via: Via,
    options: RunOptions,
    keep_running: bool,
    console: Console,
) -> Outcome:
    """Start the stack on the run's configuration (in `folder`), play, report, stop it."""
    config = folder / "config"
    stack = start_stack(settings, config, folder / "logs", alerts_page=keep_running)
    try:
        created = create_agreements(stack, settings, config)
        console.print(f"Services up; consent officer: {created} sharing agreement(s) created")
        outcome = asyncio.run(
            _play(
                settings,
                plan=plan,
                directory=directory,
                stack=stack,
                via=via,
                options=options,
                console=console,
            )
        )
        print_report(console, outcome)
        stack.services.check_running()
        if keep_running:
            console.print(
                f"Duty teams: {stack.alerts}; consent officers: {stack.consent}. Ctrl-C stops."
            )
            _until_interrupted()
    finally:
        stack.services.stop_all()
    return outcome


def _remove_topics(settings: BusSettings, names: list[str], console: Console) -> None:
    try:
        remove_topics(settings, names)
    except KafkaException as exc:
        console.print(f"[yellow]The run's school topics were not all removed ({exc}).[/yellow]")


def _until_interrupted() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return


async def _play(  # noqa: PLR0913 - the parts of one run
    settings: BusSettings,
    *,
    plan: SimulationPlan,
    directory: Directory,
    stack: Stack,
    via: Via,
    options: RunOptions,
    console: Console,
) -> Outcome:
    codec = AvroCodec(registry_schema_source(settings))
    taken = await synthetic_identifiers_in_use(settings, codec)
    rates, calendar = load_rates(), calendar_of(settings)
    world = build_world(plan, rates, calendar, taken)
    rules = load_rules(ThresholdsSettings().config or deployment_file(settings, DEFAULT_RULES))
    expectation = Expectation(rules, calendar, register_codes())
    offsets = Offsets(settings)
    observer = Observer(settings, offsets, codec, EventIds(plan.seed, plan.run_id), directory.ids)
    try:
        timeline = Timeline(world, rates, calendar, directory.agencies)
        stats = Stats()
        sink = _sink(settings, world, stack, via, stats)
        async with sink:
            simulation = Simulation(
                timeline,
                expectation=expectation,
                sink=sink,
                observer=observer,
                offsets=offsets,
                options=options,
                check_running=stack.services.check_running,
                stats=stats,
            )
            title = f"Run {plan.run_id} (seed {plan.seed}, via {via})"
            return await simulation.play(console, title)
    finally:
        observer.close()


def _sink(
    settings: BusSettings, world: World, stack: Stack, via: Via, stats: Stats
) -> SdkSink | GatewaySink:
    if via == "gateway":
        return GatewaySink(stack.gateway, world.pupils, token_of)

    def resolved() -> None:
        stats.resolved += 1

    schemas = registry_schema_source(settings)
    return SdkSink(settings, schemas, stack.gateway, world.pupils, token_of, on_resolved=resolved)
