"""`joinedup broker start|stop|status|logs`: the local Kafka broker."""

from __future__ import annotations

import asyncio
from collections import deque

import typer
from rich.console import Console

from services.broker.local import LocalBroker
from services.bus.kafka import probe_cluster
from services.bus.settings import BusSettings

broker_app = typer.Typer(help="Run a local Apache Kafka broker (no Docker needed).")
console = Console(stderr=True)


def _external(settings: BusSettings) -> bool:
    if settings.uses_local_broker:
        return False
    count = asyncio.run(probe_cluster(settings))
    console.print(
        f"JOINEDUP_BOOTSTRAP_SERVERS is set: using the cluster at {settings.bootstrap} "
        f"({count} broker(s) answering); the local broker is not used."
    )
    return True


@broker_app.command()
def start() -> None:
    """Start the local broker (fetching its jars on first use) and wait until it answers."""
    settings = BusSettings()
    if _external(settings):
        return
    broker = LocalBroker(settings)
    console.print(f"Kafka jars: {broker.libs}")
    started, seconds = broker.start()
    if started:
        console.print(f"Kafka broker ready at {broker.bootstrap} (started in {seconds:.1f}s)")
    else:
        console.print(f"Kafka broker already running at {broker.bootstrap}: nothing to do")


@broker_app.command()
def stop() -> None:
    """Stop the local broker that `start` started."""
    broker = LocalBroker(BusSettings())
    if broker.stop():
        console.print("Kafka broker stopped")
    else:
        console.print("No local Kafka broker was running")


@broker_app.command()
def status() -> None:
    """Say whether the broker runs and answers; exit 1 when it does not."""
    settings = BusSettings()
    if _external(settings):
        return
    report = LocalBroker(settings).status()
    console.print(f"Kafka broker at {report.bootstrap}: {report.message}")
    if not report.running:
        raise typer.Exit(1)


@broker_app.command()
def logs(lines: int = typer.Option(40, help="How many of the last lines to show.")) -> None:
    """Show the end of the local broker's log."""
    broker = LocalBroker(BusSettings())
    if not broker.log_file.exists():
        console.print(f"No broker log yet at {broker.log_file}")
        raise typer.Exit(1)
    with broker.log_file.open(encoding="utf-8", errors="replace") as log:
        for line in deque(log, maxlen=lines):
            typer.echo(line.rstrip("\n"))
