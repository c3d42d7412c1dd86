"""`joinedup broker start|stop|status|logs|security-init`: the local broker, a container's files."""

from __future__ import annotations

import asyncio
from collections import deque
from pathlib import Path, PurePosixPath
from typing import Annotated

import typer
from rich.console import Console

from services.broker.deployment_files import MOUNT_PATH, Deployment, ensure_deployment
from services.broker.local import LocalBroker
from services.broker.security_files import ADMIN, client_file
from services.broker.storage import SECURED, is_unrecorded_plaintext, recorded_security
from services.bus.kafka import probe_cluster
from services.bus.settings import BusSettings
from services.cli.acl import AgenciesFile
from services.governance.handlers import prepare_local_broker
from services.governance.principals import all_principals, load_directory

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


def _security_note(settings: BusSettings) -> str:
    if recorded_security(settings) == SECURED:
        return (
            "SASL_SSL with SCRAM-SHA-512; the admin's client settings (kcat -F, confluent-kafka): "
            f"{client_file(settings, ADMIN)}"
        )
    if is_unrecorded_plaintext(settings):
        return (
            f"PLAINTEXT: {settings.data_dir} was formatted before the broker was secured by "
            "default and keeps running as it was; remove it and start again for SASL_SSL"
        )
    return "PLAINTEXT: no TLS, no authentication, no ACLs (JOINEDUP_BROKER_SECURITY=plaintext)"


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
    console.print(_security_note(settings))
    for line in prepare_local_broker(BusSettings()):  # fresh: the admin's file exists now
        console.print(line, highlight=False)


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


@broker_app.command("security-init")
def security_init(
    directory: Annotated[
        Path, typer.Argument(help="Directory to write (a volume the containers mount).")
    ],
    *,
    host: Annotated[
        list[str],
        typer.Option(help="A name clients reach the broker by (repeat; the first is advertised)."),
    ],
    agencies: AgenciesFile = None,
    mount_path: Annotated[str, typer.Option(help="Where the containers mount DIRECTORY.")] = str(
        MOUNT_PATH
    ),
) -> None:
    """Write a containerised broker's TLS, SCRAM users and configuration, and every client file.

    Files that exist are kept, so running it again never changes a password.
    """
    principals = all_principals(load_directory(BusSettings(), agencies))
    deployment = Deployment(
        directory,
        tuple(host),
        tuple(principal.name for principal in principals),
        PurePosixPath(mount_path),
    )
    for line in ensure_deployment(deployment):
        typer.echo(line)
