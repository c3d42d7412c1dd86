"""`joinedup demo`: the main job on embedded defaults, end to end, then a summary."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

import typer
from rich.console import Console

from services.broker.local import LocalBroker
from services.bus.kafka import probe_cluster
from services.bus.settings import BusSettings
from services.governance.handlers import prepare_local_broker

console = Console(stderr=True)


def ensure_broker(settings: BusSettings) -> None:
    """Use the configured cluster, or start the local broker (a no-op when it runs)."""
    if settings.uses_local_broker:
        started, seconds = LocalBroker(settings).start()
        note = f"started in {seconds:.1f}s" if started else "already running"
        console.print(f"Kafka broker at {settings.bootstrap} ({note})")
        for line in prepare_local_broker(BusSettings()):  # each service's principal and ACLs
            console.print(line, highlight=False)
    else:
        asyncio.run(probe_cluster(settings))
        console.print(f"Using the Kafka cluster at {settings.bootstrap}")


def demo(
    *,
    keep_running: Annotated[
        bool, typer.Option("--keep-running", help="Leave the services up for the web pages.")
    ] = False,
    scale: Annotated[
        Literal["small", "authority"] | None,
        typer.Option(help="Simulate a synthetic authority instead (`joinedup simulate`)."),
    ] = None,
) -> None:
    """Start the broker and every service, drive the demo story, show who saw what."""
    if scale is not None:
        from services.cli.simulate import run_scale  # noqa: PLC0415 - keeps --help fast

        if not run_scale(scale, keep_running=keep_running):
            raise typer.Exit(1)
        return
    from services.database.settings import DatabaseSettings  # noqa: PLC0415
    from services.demo.audit_index import ensure_database  # noqa: PLC0415
    from services.demo.run import run_demo  # noqa: PLC0415 - keeps --help fast

    settings = BusSettings()
    ensure_broker(settings)
    console.print(ensure_database(DatabaseSettings()))
    run_demo(settings, settings.home / "demo-logs", keep_running=keep_running)
