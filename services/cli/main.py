"""Entry point of the `joinedup` console script."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from services.cli.acl import acl_app
from services.cli.alerts import alerts_app
from services.cli.audit import audit_app
from services.cli.broker import broker_app
from services.cli.consent import consent_app
from services.cli.dashboard import dashboard_app
from services.cli.db import db_app
from services.cli.demo import demo
from services.cli.deploy import deploy_app
from services.cli.gateway import gateway_app
from services.cli.identity import identity_app
from services.cli.importer import import_app
from services.cli.registry import registry_app
from services.cli.router import router_app
from services.cli.schemas import schemas_app
from services.cli.settings import settings
from services.cli.simulate import simulate
from services.cli.smoke import smoke_app
from services.cli.thresholds import thresholds_app
from services.cli.topics import topics_app
from services.cli.view_feed import view_feed_app
from services.exceptions import JoinedUpError

app = typer.Typer(
    help="Joined-up: multi-agency information sharing for children's services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(broker_app, name="broker")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(smoke_app, name="smoke")
app.add_typer(schemas_app, name="schemas")
app.add_typer(registry_app, name="registry")
app.add_typer(gateway_app, name="gateway")
app.add_typer(import_app, name="import")
app.add_typer(router_app, name="router")
app.add_typer(consent_app, name="consent")
app.add_typer(identity_app, name="identity")
app.add_typer(alerts_app, name="alerts")
app.add_typer(view_feed_app, name="view-feed")
app.add_typer(thresholds_app, name="thresholds")
app.add_typer(topics_app, name="topics")
app.add_typer(acl_app, name="acl")
app.add_typer(deploy_app, name="deploy")
app.add_typer(dashboard_app, name="dashboard")
app.command()(demo)
app.command()(settings)
app.command()(simulate)


def run() -> None:
    """Run the CLI; project errors print one clear sentence, not a traceback."""
    try:
        app()
    except JoinedUpError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        sys.exit(2)
