"""`joinedup thresholds worker|rules`: the threshold rules and their alerts."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from services.bus import topics
from services.bus.instance import claim_instance
from services.bus.kafka import probe_cluster
from services.bus.logging import configure_logging
from services.bus.settings import BusSettings
from services.cli.router import AGENCIES_HELP, run_until_signalled
from services.sdk.registry import answering_registry
from services.thresholds.settings import ThresholdsSettings

thresholds_app = typer.Typer(
    help="Threshold rules: alerts for duty teams, escalation.", no_args_is_help=True
)
console = Console(stderr=True)
OVERRIDE_HELP = (
    "An LA's override of the default rules (YAML); or JOINEDUP_THRESHOLDS_CONFIG, "
    "else threshold-rules.yaml in JOINEDUP_CONFIG_DIR."
)


def _override(path: Path | None) -> Path | None:
    return path or ThresholdsSettings().config


@thresholds_app.command()
def worker(  # noqa: PLR0913, PLR0917 - one option per deployment choice
    rules_override: Annotated[Path | None, typer.Option(help=OVERRIDE_HELP)] = None,
    agencies: Annotated[Path | None, typer.Option(help=AGENCIES_HELP)] = None,
    app_id: Annotated[str, typer.Option(help="Consumer group.")] = "joinedup-thresholds",
    instance: Annotated[
        str | None,
        typer.Option(help="Unique per worker of one app id (default: <host>-<first free slot>)."),
    ] = None,
    alerts_topic: Annotated[str, typer.Option()] = topics.ALERTS_RAISED,
    acknowledgements_topic: Annotated[str, typer.Option()] = topics.ALERTS_ACKNOWLEDGED,
    merges_topic: Annotated[
        str, typer.Option(help="Identity stewards' merges and unmerges.")
    ] = topics.IDENTITY_MERGES,
    tick_every: Annotated[
        float, typer.Option(help="Seconds between escalation checks (SIGUSR1: check now).")
    ] = 30.0,
) -> None:
    """Run a thresholds worker until interrupted."""
    from services.bus.processor import LoopOptions  # noqa: PLC0415 - keeps --help fast
    from services.bus.worker_probes import worker_probes  # noqa: PLC0415
    from services.observability.settings import ProbeSettings  # noqa: PLC0415
    from services.thresholds.bootstrap import build_thresholds  # noqa: PLC0415
    from services.thresholds.processor import ThresholdsTopics  # noqa: PLC0415

    configure_logging()
    settings = BusSettings()
    asyncio.run(probe_cluster(settings))
    slot = claim_instance(settings.home, app_id, instance)
    built = build_thresholds(
        settings,
        answering_registry(settings),
        rules_override=_override(rules_override),
        agencies_file=agencies,
        app_id=app_id,
        instance=slot.name,
        names=ThresholdsTopics(
            alerts=alerts_topic, acknowledgements=acknowledgements_topic, merges=merges_topic
        ),
        options=LoopOptions(tick_every_s=tick_every),
    )
    port = ProbeSettings().thresholds_probe_port
    with worker_probes(
        settings,
        port and port + slot.number,
        "JOINEDUP_THRESHOLDS_PROBE_PORT",
        lambda: built.loop.beat,
    ):
        asyncio.run(
            run_until_signalled(
                built.run(),
                built.stopping,
                {signal.SIGUSR1: built.loop.request_tick},
                name="Thresholds worker",
            )
        )
    slot.release()


@thresholds_app.command()
def rules(
    rules_override: Annotated[Path | None, typer.Option(help=OVERRIDE_HELP)] = None,
) -> None:
    """Print the effective rules (defaults merged with the override)."""
    from services.thresholds.bootstrap import rules_override_for  # noqa: PLC0415
    from services.thresholds.domain.rules import load_rules  # noqa: PLC0415

    table = Table(title="Threshold rules in force")
    for column in ("rule", "on", "severity", "cool-down (days)", "source"):
        table.add_column(column)
    override = rules_override_for(BusSettings(), _override(rules_override))
    for rule in load_rules(override).all():
        table.add_row(
            rule.id,
            "yes" if rule.enabled else "no",
            rule.severity,
            str(rule.cool_down_days),
            rule.source,
        )
    Console().print(table)
