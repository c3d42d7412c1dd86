"""`joinedup alerts serve|tail|webhooks replay`: duty teams' page, a tail, webhook replays."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

import typer

from services.alerts.adapters.records import RecordCodec
from services.alerts.bootstrap import (
    build_app,
    build_tail_consumer,
    replay_webhooks,
    schema_source_for,
)
from services.alerts.entrypoints.tail import tail_alerts
from services.alerts.settings import AlertsSettings
from services.bus.logging import configure_logging
from services.bus.settings import BusSettings
from services.bus.topics import check_agency_id
from services.cli.serve_options import BootstrapServers, Host, Port, RegistryUrl, bus_settings
from services.cli.serving import serve_app

alerts_app = typer.Typer(
    help="Alerts for duty teams: the live web page, the SSE feed, a terminal tail, webhooks.",
    no_args_is_help=True,
)
webhooks_app = typer.Typer(
    help="Webhooks of alerts and subscribed disclosures: replay what was dead-lettered.",
    no_args_is_help=True,
)
alerts_app.add_typer(webhooks_app, name="webhooks")


@alerts_app.command()
def serve(
    *,
    host: Host = None,
    port: Port = None,
    bootstrap_servers: BootstrapServers = None,
    registry_url: RegistryUrl = None,
) -> None:
    """Serve the duty teams' page, JSON API and /feed (default: JOINEDUP_ALERTS_HOST/PORT)."""
    configure_logging()
    settings = bus_settings(bootstrap_servers, registry_url)
    options = AlertsSettings()
    serve_app(
        lambda: build_app(settings, options),
        host or options.host,
        port or options.port,
        timeout_graceful_shutdown=2,
    )


def _agency(value: str) -> str:
    try:
        return check_agency_id(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@alerts_app.command()
def tail(
    *,
    agency: Annotated[str, typer.Option(help="Agency whose view to read.", callback=_agency)],
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Start at the view's first record.")
    ] = False,
    max_alerts: Annotated[
        int | None, typer.Option("--max", min=1, help="Stop after this many alerts.")
    ] = None,
) -> None:
    """Print the agency's alerts as they arrive: time, severity, rule, child_ref, summary."""
    configure_logging("WARNING")
    settings = BusSettings()
    codec = RecordCodec.from_source(schema_source_for(settings))

    async def follow() -> None:
        consumer = build_tail_consumer(settings, agency, from_beginning=from_beginning)
        await tail_alerts(consumer, codec, typer.echo, max_alerts)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(follow())


@webhooks_app.command()
def replay(
    *,
    bootstrap_servers: BootstrapServers = None,
    registry_url: RegistryUrl = None,
) -> None:
    """Send every dead-lettered webhook again (to its receiver as configured now); print counts.

    A delivery that fails again is dead-lettered again, for a later replay.
    """
    configure_logging("WARNING")
    settings = bus_settings(bootstrap_servers, registry_url)
    outcomes = asyncio.run(replay_webhooks(settings, AlertsSettings()))
    typer.echo(
        f"delivered {outcomes['delivered']}, failed again {outcomes['failed']}, "
        f"skipped {outcomes['skipped']} (unreadable, or receiver no longer configured)"
    )
    if outcomes["failed"]:
        raise typer.Exit(code=1)
