"""`joinedup router worker|verify-audit`: the disclosure router."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from schemas.codec import AvroCodec
from services.bus import topics
from services.bus.instance import claim_instance
from services.bus.kafka import probe_cluster
from services.bus.logging import configure_logging
from services.bus.settings import BusSettings
from services.config.files import config_file
from services.sdk.registry import answering_registry, registry_schema_source

router_app = typer.Typer(
    help="The router: decisions, per-agency views, audit.", no_args_is_help=True
)
console = Console(stderr=True)
AGENCIES_HELP = (
    "Agency directory YAML; default: agencies.yaml of JOINEDUP_CONFIG_DIR, else packaged"
)


@router_app.command()
def worker(  # noqa: PLR0913, PLR0917 - one option per topic an operator may rename
    agencies: Annotated[Path | None, typer.Option(help=AGENCIES_HELP)] = None,
    app_id: Annotated[str, typer.Option(help="Consumer group / app id.")] = "joinedup-router",
    audit_topic: Annotated[str, typer.Option()] = topics.AUDIT_DISCLOSURES,
    agreements_topic: Annotated[str, typer.Option()] = topics.CONSENT_AGREEMENTS,
    directives_topic: Annotated[str, typer.Option()] = topics.CONSENT_DIRECTIVES,
    alerts_topic: Annotated[str, typer.Option()] = topics.ALERTS_RAISED,
    merges_topic: Annotated[
        str, typer.Option(help="Identity stewards' merges and unmerges.")
    ] = topics.IDENTITY_MERGES,
    instance: Annotated[
        str | None,
        typer.Option(help="Unique per worker of one app id (default: <host>-<first free slot>)."),
    ] = None,
) -> None:
    """Run a router worker until interrupted (start more for more partitions)."""
    from services.bus.worker_probes import worker_probes  # noqa: PLC0415
    from services.observability.settings import ProbeSettings  # noqa: PLC0415
    from services.router.bootstrap import build_router, prepare_router_topics  # noqa: PLC0415
    from services.router.stage import RouterTopics  # noqa: PLC0415 - keeps --help fast

    configure_logging()
    settings = BusSettings()
    asyncio.run(probe_cluster(settings))
    directory = agencies or config_file(settings, "agencies.yaml")
    names = RouterTopics(
        alerts=alerts_topic,
        directives=directives_topic,
        audit=audit_topic,
        agreements=agreements_topic,
        merges=merges_topic,
    )
    asyncio.run(prepare_router_topics(settings, directory, names))
    source = answering_registry(settings)
    slot = claim_instance(settings.home, app_id, instance)
    router = build_router(
        settings, source, directory, app_id=app_id, router_topics=names, instance=slot.name
    )
    port = ProbeSettings().router_probe_port
    with worker_probes(
        settings,
        port and port + slot.number,
        "JOINEDUP_ROUTER_PROBE_PORT",
        lambda: router.loop.beat,
    ):
        asyncio.run(run_until_signalled(router.run(), router.stopping, name="Router"))
    slot.release()


async def run_until_signalled(
    work: Coroutine[Any, Any, None],
    stopping: asyncio.Event,
    other: Mapping[signal.Signals, Callable[[], None]] | None = None,
    *,
    name: str,
) -> None:
    """Run `work`; SIGINT / SIGTERM ask it to stop after the batch in hand."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    for sig, action in (other or {}).items():
        loop.add_signal_handler(sig, action)
    console.print(f"{name} running; Ctrl-C stops it after the batch in hand")
    await work


@router_app.command("verify-audit")
def verify_audit_command(
    topic: Annotated[str, typer.Option(help="Audit topic.")] = topics.AUDIT_DISCLOSURES,
) -> None:
    """Verify the audit trail's hash chains; exit 1 when any record was edited or removed."""
    from services.audit.reader import verify_audit  # noqa: PLC0415

    settings = BusSettings()
    report = asyncio.run(verify_audit(settings, AvroCodec(registry_schema_source(settings)), topic))
    for gap in report.breaks:
        console.print(
            f"[red]BROKEN[/red] {topic}[{gap.partition}] offset {gap.offset}: {gap.problem}"
        )
    console.print(
        f"{report.records} decision records in {report.partitions} partitions; "
        f"{len(report.breaks)} break(s); {report.repeated_decisions} replayed "
        "decision(s)"
    )
    if not report.intact:
        raise typer.Exit(1)
