"""`joinedup consent serve | verify-audit | load | templates`: the consent service and its tools."""

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
from services.cli.consent_fhir import import_fhir
from services.cli.consent_load import copy_templates, load_agreements
from services.cli.serve_options import BootstrapServers, Host, Port, RegistryUrl, bus_settings
from services.cli.serving import serve_app
from services.consent.adapters.topics import ConsentTopics
from services.consent.bootstrap import ConsentOptions, build_consent_service
from services.consent.settings import ConsentSettings
from services.sdk.registry import registry_schema_source

consent_app = typer.Typer(
    help="Consent service: agreements, directives, dry runs, audit search (API and web page).",
    no_args_is_help=True,
)


@consent_app.command()
def serve(  # noqa: PLR0913 - the shared serve options plus the consent service's own
    *,
    host: Host = None,
    port: Port = None,
    bootstrap_servers: BootstrapServers = None,
    registry_url: RegistryUrl = None,
    agencies: Annotated[
        Path | None, typer.Option(help="Agency directory (YAML); default: JOINEDUP_CONFIG_DIR's.")
    ] = None,
    users: Annotated[
        Path | None,
        typer.Option(help="Users, roles and token digests (YAML); default: JOINEDUP_CONFIG_DIR's."),
    ] = None,
) -> None:
    """Serve the consent API and page until interrupted (default: JOINEDUP_CONSENT_HOST/PORT)."""
    configure_logging()
    settings = bus_settings(bootstrap_servers, registry_url)
    address = ConsentSettings()
    options = ConsentOptions(agencies_file=agencies, users_file=users, topics=ConsentTopics())
    serve_app(
        lambda: build_consent_service(settings, registry_schema_source(settings), options),
        host or address.host,
        port or address.port,
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


consent_app.command("load")(load_agreements)
consent_app.command("templates")(copy_templates)
consent_app.command("import-fhir")(import_fhir)
