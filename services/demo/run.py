"""Run the demo: start the services, drive the story, show what each agency saw."""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from consent.domain.agency import load_agency_directory
from schemas.codec import AvroCodec
from schemas.registry_client import RegistryClient
from services.broker.security_files import client_file
from services.bus import topics
from services.bus.reading import records_to_end
from services.bus.settings import BusSettings
from services.config.files import config_file
from services.database.settings import DatabaseSettings
from services.demo import driving
from services.demo.audit_index import index_caught_up
from services.demo.processes import Services
from services.demo.story import AFTER_CONSENT, STORY, new_nhs_numbers
from services.governance import principals as accounts
from services.governance.principals import Service

GATEWAY, CONSENT, ALERTS = "http://127.0.0.1:8000", "http://127.0.0.1:8010", "http://127.0.0.1:8020"


async def _views(
    settings: BusSettings,
    codec: AvroCodec,
    agencies: Iterable[str],
) -> dict[str, list[dict[str, Any]]]:
    seen: dict[str, list[dict[str, Any]]] = {}
    for agency in agencies:
        seen[agency] = [
            codec.decode(r.value) async for r in records_to_end(settings, topics.view(agency))
        ]
    return seen


def _settled(
    settings: BusSettings,
    codec: AvroCodec,
    agencies: list[str],
    ids: set[str],
    seconds: float = 60.0,
) -> dict[str, list[dict[str, Any]]]:
    """The view records of this run, once no new ones have come for a few seconds."""
    deadline = time.monotonic() + seconds
    last, quiet_since = -1, time.monotonic()
    while True:
        views = asyncio.run(_views(settings, codec, agencies))
        mine = {a: [v for v in vs if _belongs(v, ids)] for a, vs in views.items()}
        count = sum(len(v) for v in mine.values())
        if count != last:
            last, quiet_since = count, time.monotonic()
        if time.monotonic() - quiet_since > 6 or time.monotonic() > deadline:
            return mine
        time.sleep(1)


def _belongs(view: dict[str, Any], ids: set[str]) -> bool:
    if str(view["event_id"]) in ids:
        return True
    fields = json.loads(view["fields"])
    return bool(set(fields.get("evidence_event_ids", [])) & ids)


def _report(console: Console, views: dict[str, list[dict[str, Any]]]) -> None:
    table = Table(title="What each agency's view received (this run)")
    table.add_column("recipient")
    table.add_column("event", min_width=44)
    for column in ("fields disclosed", "agreement", "legal basis"):
        table.add_column(column)
    for agency, records in views.items():
        for view in sorted(records, key=lambda v: v["occurred_at"]):
            fields = json.loads(view["fields"])
            what = view["event_type"]
            if what == "AlertRaised":
                what = f"ALERT {fields.get('rule_id', '?')}"
            table.add_row(
                agency,
                what,
                ", ".join(sorted(fields)) or "(signal only)",
                view["agreement_id"],
                view["legal_basis"],
            )
    console.print(table)


def _decisions(console: Console, children: dict[str, str], ids: set[str]) -> None:
    table = Table(title="Every decision about the demo children (this run), from the audit")
    for column in ("child", "event", "recipient", "decision", "reason"):
        table.add_column(column)
    for name, child_ref in children.items():
        for row in driving.decisions_about(CONSENT, child_ref):
            if str(row["subject_event_id"]) in ids:
                table.add_row(
                    name,
                    row["subject_event_type"],
                    row["recipient"],
                    row["decision"],
                    row["reason"],
                )
    console.print(table)


def principals_of(settings: BusSettings) -> Callable[[Service], Path | None]:
    """Each service's client file on the secured local broker (None: the settings' own)."""

    def client_file_of(service: Service) -> Path | None:
        if not settings.uses_local_broker:
            return None
        path = client_file(settings, service.principal.name)
        return path if path.is_file() else None

    return client_file_of


def run_demo(settings: BusSettings, logs: Path, *, keep_running: bool) -> None:
    """Start the services, create the agreements, publish the story, report, stop."""
    console = Console(stderr=True, width=150)
    env = {**os.environ, "JOINEDUP_BOOTSTRAP_SERVERS": settings.bootstrap}
    services = Services(logs, env)
    try:
        principal = principals_of(settings)
        services.start("registry", "registry", "serve", client_file=principal(accounts.REGISTRY))
        services.wait_healthy("registry", f"{settings.registry_url}/subjects")
        for name, command, account in (
            ("consent", "serve", accounts.CONSENT),
            ("gateway", "serve", accounts.GATEWAY),
            ("router", "worker", accounts.ROUTER),
            ("thresholds", "worker", accounts.THRESHOLDS),
            ("alerts", "serve", accounts.ALERTS),
        ):
            services.start(name, name, command, client_file=principal(account))
        indexer = principal(accounts.AUDIT_INDEXER)
        services.start("audit-indexer", "audit", "indexer", client_file=indexer)
        for name, url in (("consent", CONSENT), ("gateway", GATEWAY), ("alerts", ALERTS)):
            services.wait_healthy(name, f"{url}/healthz")
        console.print(f"Services up; logs in {logs}")
        agreements = config_file(settings, "demo-agreements.yaml")
        created = driving.create_agreements(CONSENT, agreements)
        console.print(f"Consent officer: {created} sharing agreement(s) created ({agreements})")
        nhs = new_nhs_numbers(("Amy", "Ben"), random.Random())  # noqa: S311 - demo data
        ids = {driving.publish(GATEWAY, step, nhs) for step in STORY}
        console.print(f"Agencies published {len(ids)} events through the gateway")
        ben = driving.child_ref_of(GATEWAY, nhs["Ben"], "school-100002")
        driving.record_consent(CONSENT, ben, "early-help")
        console.print("Consent officer: Ben's family's consent to early help recorded")
        time.sleep(2)
        ids |= {driving.publish(GATEWAY, step, nhs) for step in AFTER_CONSENT}
        codec = AvroCodec(RegistryClient(settings.registry_url))
        directory = load_agency_directory(config_file(settings, "agencies.yaml"))
        agencies = [a.id for a in directory.agencies]
        services.check_running()
        _report(console, _settled(settings, codec, agencies, ids))
        # The views are settled, and each decision's audit record was written with its
        # view: once the index has caught up, the auditor's search sees every decision.
        indexed = index_caught_up(settings, DatabaseSettings(), codec)
        console.print(f"Audit index caught up: {indexed} decision rows in PostgreSQL")
        amy = driving.child_ref_of(GATEWAY, nhs["Amy"], "school-100001")
        _decisions(console, {"Amy": amy, "Ben": ben}, ids)
        audit = driving.verify_audit(CONSENT)
        console.print(f"Audit trail: {audit}")
        services.check_running()
        if keep_running:
            console.print(
                f"Duty teams: {ALERTS} (token dev-duty-dsl-northgate); consent "
                f"officers: {CONSENT} (token dev-token-consent-officer). Ctrl-C stops."
            )
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        services.stop_all()
