"""`joinedup smoke worker`: run the smoke Faust app (plumbing check)."""

from __future__ import annotations

import asyncio

import typer

from services.bus.faust_app import run_worker
from services.bus.kafka import ensure_topics
from services.bus.logging import configure_logging
from services.bus.settings import BusSettings
from services.smoke.app import DEFAULT_TOPIC, build_smoke_app

smoke_app = typer.Typer(help="Plumbing check: a Faust agent counting records into a table.")


@smoke_app.command()
def worker(topic: str = typer.Option(DEFAULT_TOPIC, help="Topic to count.")) -> None:
    """Run the smoke worker until interrupted."""
    configure_logging()
    settings = BusSettings()
    asyncio.run(ensure_topics(settings, [topic]))
    run_worker(build_smoke_app(settings, topic))
