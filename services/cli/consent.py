"""`joinedup consent serve | verify-audit`: the consent service and the audit chain check."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from schemas.codec import AvroCodec
from services.audit.trail import KafkaAuditTrail
from services.bus import topics
from services.bus.logging import configure_logging
from services.bus.settings import BusSettings
from services.cli.serving import serve_app
from services.consent.adapters.topics import ConsentTopics
from services.consent.bootstrap import AGENCIES_FILE, ConsentOptions, build_consent_service
from services.consent.users import DEFAULT_USERS_FILE
from services.sdk.registry import registry_schema_source

consent_app = typer.Typer(
    help="Consent service: agreements, directives, dry runs, audit search (API and web page).",
    no_args_is_help=True,
)


@consent_app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8010,
    agencies: Annotated[Path, typer.Option(help="Agency directory (YAML).")] = AGENCIES_FILE,
    users: Annotated[
        Path, typer.Option(help="Users, roles and token digests (YAML).")
    ] = DEFAULT_USERS_FILE,
) -> None:
    """Serve the consent API and page until interrupted (schemas from JOINEDUP_REGISTRY_URL)."""
    configure_logging()
    settings = BusSettings()
    options = ConsentOptions(agencies_file=agencies, users_file=users, topics=ConsentTopics())
    serve_app(
        lambda: build_consent_service(settings, registry_schema_source(settings), options),
        host,
        port,
    )


@consent_app.command("verify-audit")
def verify_audit(
    topic: Annotated[str, typer.Option(help="Audit topic.")] = topics.AUDIT_DISCLOSURES,
) -> None:
    """Verify the audit trail's hash chains; exit 1 when a chain is broken."""
    configure_logging()
    settings = BusSettings()
    codec = AvroCodec(registry_schema_source(settings))
    trail = KafkaAuditTrail(settings, codec, topic)
    report = asyncio.run(trail.verify())
    console = Console()
    if report["intact"]:
        console.print(
            f"audit intact: {report['records']} records in {report['partitions']} partitions "
            f"({report['repeated_decisions']} repeated decisions)"
        )
        return
    for found in report["breaks"]:
        console.print(
            f"[red]broken[/red] partition {found['partition']} offset {found['offset']}: "
            f"{found['problem']}"
        )
    raise typer.Exit(1)
