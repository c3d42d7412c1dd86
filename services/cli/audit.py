"""`joinedup audit indexer|reindex|retention`: the audit index in PostgreSQL."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from typing import Annotated

import psycopg
import typer
from rich.console import Console

from services.audit.indexer import INDEXER_GROUP
from services.bus import topics
from services.bus.kafka import ensure_topics, probe_cluster
from services.bus.logging import configure_logging
from services.bus.settings import BusSettings
from services.config.files import config_file
from services.database.migrate import upgrade
from services.database.settings import DatabaseSettings

audit_app = typer.Typer(help="The audit index: indexer, reindex, retention.", no_args_is_help=True)
console = Console(stderr=True, soft_wrap=True)
DecisionsTopic = Annotated[str, typer.Option(help="Topic of the disclosure decisions.")]
ReviewsTopic = Annotated[str, typer.Option(help="Topic of the override reviews.")]
BatchSize = Annotated[int, typer.Option(min=1, help="Records per transaction, at most.")]


def _run_indexer(
    decisions_topic: str,
    reviews_topic: str,
    *,
    until_caught_up: bool,
    batch_size: int,
    group_id: str = INDEXER_GROUP,
) -> None:
    """Index both topics into the database (migrated first) until stopped or caught up."""
    from schemas.codec import AvroCodec  # noqa: PLC0415 - keeps --help fast
    from services.audit.index_pool import database_check  # noqa: PLC0415
    from services.audit.index_writer import IndexTopics  # noqa: PLC0415
    from services.audit.indexer import AuditIndexer, IndexerOptions  # noqa: PLC0415
    from services.bus.worker_probes import worker_probes  # noqa: PLC0415
    from services.observability.settings import ProbeSettings  # noqa: PLC0415
    from services.sdk.registry import answering_registry  # noqa: PLC0415

    settings, database = BusSettings(), DatabaseSettings()
    asyncio.run(probe_cluster(settings))
    names = IndexTopics(decisions_topic, reviews_topic)
    dead = [topics.deadletter(name) for name in names.both]
    asyncio.run(ensure_topics(settings, [*names.both, *dead]))
    upgrade(database.url())
    options = IndexerOptions(group_id=group_id, batch_size=batch_size, names=names)
    indexer = AuditIndexer(
        settings, database.url(), AvroCodec(answering_registry(settings)), options
    )
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: indexer.stopping.set())
    console.print(f"Audit indexer writing to {database.describe()}; Ctrl-C stops it")
    port = 0 if until_caught_up else ProbeSettings().indexer_probe_port
    checks = [database_check(database.url())]
    with worker_probes(
        settings, port, "JOINEDUP_INDEXER_PROBE_PORT", lambda: indexer.beat, checks=checks
    ):
        stats = indexer.run(until_caught_up=until_caught_up)
    with psycopg.connect(database.url()) as conn:
        row = conn.execute("SELECT count(*) FROM audit_decision").fetchone()
    console.print(
        f"indexed {stats.decisions} decision(s) and {stats.reviews} review(s) in "
        f"{stats.batches} batch(es); {stats.skipped} already indexed; "
        f"{stats.chain_breaks} chain break(s); {row[0] if row else 0} decision rows in the index"
    )


@audit_app.command()
def indexer(
    decisions_topic: DecisionsTopic = topics.AUDIT_DISCLOSURES,
    reviews_topic: ReviewsTopic = topics.AUDIT_REVIEWS,
    *,
    until_caught_up: Annotated[
        bool, typer.Option(help="Exit once the topics' ends seen at start are indexed.")
    ] = False,
    batch_size: BatchSize = 5000,
    group_id: Annotated[
        str, typer.Option(help="Consumer group sharing the partitions out (no offsets kept).")
    ] = INDEXER_GROUP,
) -> None:
    """Index audit.disclosures and audit.reviews into PostgreSQL, exactly once."""
    configure_logging()
    _run_indexer(
        decisions_topic,
        reviews_topic,
        until_caught_up=until_caught_up,
        batch_size=batch_size,
        group_id=group_id,
    )


@audit_app.command()
def reindex(
    decisions_topic: DecisionsTopic = topics.AUDIT_DISCLOSURES,
    reviews_topic: ReviewsTopic = topics.AUDIT_REVIEWS,
    batch_size: BatchSize = 5000,
) -> None:
    """Empty the index of what came from the topics and rebuild it from offset 0, then exit.

    Refused while an indexer runs. Override reviews are kept and read again.
    """
    from services.audit.index_writer import IndexTopics, IndexWriter  # noqa: PLC0415

    configure_logging()
    database = DatabaseSettings()
    upgrade(database.url())
    with psycopg.connect(database.url(), autocommit=True) as conn:
        IndexWriter(conn, IndexTopics(decisions_topic, reviews_topic)).reset()
    console.print("Audit index emptied; reading the topics again from offset 0")
    _run_indexer(decisions_topic, reviews_topic, until_caught_up=True, batch_size=batch_size)


@audit_app.command()
def retention(
    *,
    dry_run: Annotated[
        bool, typer.Option(help="Say what would be removed; remove nothing.")
    ] = False,
) -> None:
    """Remove from the index what the retention schedule (audit-retention.yaml) no longer keeps."""
    from services.audit.retention import apply_retention  # noqa: PLC0415
    from services.audit.retention_schedule import load_schedule  # noqa: PLC0415

    configure_logging()
    source = config_file(BusSettings(), "audit-retention.yaml")
    schedule = load_schedule(source)
    database = DatabaseSettings()
    with psycopg.connect(database.url(), autocommit=True) as conn:
        report = apply_retention(conn, schedule, datetime.now(UTC), dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    console.print(f"Retention schedule: {source}")
    for name, rule in schedule.items():
        console.print(
            f"  {name}: kept {rule.keep_years} years (before {report.cutoffs[name]:%Y-%m-%d}); "
            f"{verb} {report.removed[name]} row(s)"
        )
    console.print(
        f"{verb} {len(report.partitions)} month partition(s) "
        f"{', '.join(report.partitions) or ''} and {report.reviews} override review(s)"
    )
