"""The synthetic authority's configuration, and the demo's services started on it.

The authority's schools are agencies of the bus, so the services get a
configuration directory of the simulation's own (JOINEDUP_CONFIG_DIR): the
deployment's files (or the packaged ones), with `agencies.yaml` and
`publishers.yaml` listing the simulated schools beside the other agencies.
Simulated schools publish with development tokens, `dev-token-<agency>`, as
the demo's schools do. Their topics (ingest, view, dead letters) are created
here, as the broker's admin would with `joinedup topics apply`. The services
start from their CLI commands like the demo's (services/demo/processes.py),
the thresholds worker checking escalations every `TICK_S` seconds.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from services.bus import rdkafka, topics
from services.bus.settings import BusSettings
from services.config.files import CONFIG_NAMES, config_file
from services.demo import driving
from services.demo.processes import Services
from services.demo.run import ALERTS, CONSENT, GATEWAY, principals_of
from services.governance import principals as accounts
from services.simulate.authority import School
from services.simulate.happenings import Agencies

TICK_S: Final = "2"
TOPICS_TIMEOUT_S: Final = 60.0
DELETE_BATCH: Final = 100
GENERATED: Final = ("agencies.yaml", "publishers.yaml")


def token_of(agency: str) -> str:
    """The development bearer token a simulated agency publishes with."""
    return f"dev-token-{agency}"


@dataclass(frozen=True)
class Directory:
    """The simulation's agencies: id to kind, and who plays social care, police and health."""

    kinds: dict[str, str]
    agencies: Agencies

    @property
    def ids(self) -> list[str]:
        """Every agency id, in file order."""
        return list(self.kinds)


def _first_of(kinds: dict[str, str], kind: str) -> str:
    found = [agency for agency, its in kinds.items() if its == kind]
    if not found:
        msg = f"agencies.yaml: the simulation needs an agency of kind {kind!r}"
        raise ValueError(msg)
    return found[0]


def write_config(settings: BusSettings, schools: Iterable[School], folder: Path) -> Directory:
    """Write the simulation's configuration into `folder`; the agency directory it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in CONFIG_NAMES:
        if name not in GENERATED and settings.config_dir and (settings.config_dir / name).is_file():
            shutil.copyfile(settings.config_dir / name, folder / name)
    agencies = _yaml(config_file(settings, "agencies.yaml"))["agencies"]
    others = [a for a in agencies if a["kind"] != "school"]
    ours = [
        {
            "id": s.agency,
            "kind": "school",
            "name": s.name,
            "duty_contact": f"dsl@{s.agency}.example",
        }
        for s in schools
    ]
    publishers = _yaml(config_file(settings, "publishers.yaml"))["publishers"]
    kept = [p for p in publishers if p["agency"] in {a["id"] for a in others}]
    kept += [
        {"agency": s["id"], "token_sha256": hashlib.sha256(token_of(s["id"]).encode()).hexdigest()}
        for s in ours
    ]
    _write(folder / "agencies.yaml", {"agencies": others + ours})
    _write(folder / "publishers.yaml", {"publishers": kept})
    kinds = {a["id"]: a["kind"] for a in others + ours}
    roles = Agencies(
        _first_of(kinds, "social-care"), _first_of(kinds, "police"), _first_of(kinds, "health")
    )
    return Directory(kinds, roles)


def _yaml(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _write(path: Path, document: dict[str, Any]) -> None:
    header = "# Written by `joinedup simulate` for its synthetic authority.\n"
    path.write_text(header + yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def agency_topics(agencies: Iterable[str]) -> list[str]:
    """The topics each simulated agency needs: ingest, view, dead letters."""
    return [
        name
        for agency in agencies
        for name in (topics.ingest(agency), topics.view(agency), topics.deadletter(agency))
    ]


def remove_topics(settings: BusSettings, names: list[str]) -> None:
    """Delete the simulated schools' topics once a run is over, in batches.

    A development broker's heap holds every partition: an authority's 200 schools have 1,800.
    """
    admin = rdkafka.admin_client(settings)
    existing = set(admin.list_topics(timeout=TOPICS_TIMEOUT_S).topics)
    doomed = [name for name in names if name in existing]
    for start in range(0, len(doomed), DELETE_BATCH):
        batch = doomed[start : start + DELETE_BATCH]
        for deleting in admin.delete_topics(batch, operation_timeout=TOPICS_TIMEOUT_S).values():
            deleting.result()


@dataclass(frozen=True)
class Stack:
    """The running services of a simulation, and where they answer."""

    services: Services
    gateway: str = GATEWAY
    consent: str = CONSENT
    alerts: str = ALERTS


def start_stack(settings: BusSettings, config: Path, logs: Path, *, alerts_page: bool) -> Stack:
    """Start registry, consent, gateway, router, thresholds (and the alerts page) on `config`.

    The caller stops them (`stack.services.stop_all()`); when this raises, they are stopped.
    """
    env = {
        **os.environ,
        "JOINEDUP_BOOTSTRAP_SERVERS": settings.bootstrap,
        "JOINEDUP_CONFIG_DIR": str(config),
    }
    services = Services(logs, env)
    try:
        return _start(services, settings, alerts_page=alerts_page)
    except BaseException:
        services.stop_all()
        raise


def _start(services: Services, settings: BusSettings, *, alerts_page: bool) -> Stack:
    principal: Callable[[accounts.Service], Path | None] = principals_of(settings)
    services.start("registry", "registry", "serve", client_file=principal(accounts.REGISTRY))
    services.wait_healthy("registry", f"{settings.registry_url}/subjects")
    started = [
        ("consent", ("consent", "serve"), accounts.CONSENT),
        ("gateway", ("gateway", "serve"), accounts.GATEWAY),
        ("router", ("router", "worker"), accounts.ROUTER),
        ("thresholds", ("thresholds", "worker", "--tick-every", TICK_S), accounts.THRESHOLDS),
    ]
    if alerts_page:
        started.append(("alerts", ("alerts", "serve"), accounts.ALERTS))
    for name, command, account in started:
        services.start(name, *command, client_file=principal(account))
    stack = Stack(services)
    for name, url in (("consent", stack.consent), ("gateway", stack.gateway)):
        services.wait_healthy(name, f"{url}/healthz")
    if alerts_page:
        services.wait_healthy("alerts", f"{stack.alerts}/healthz")
    return stack


def create_agreements(stack: Stack, settings: BusSettings, config: Path) -> int:
    """The demo's sharing agreements, created as a consent officer would (existing ones kept)."""
    ours = settings.model_copy(update={"config_dir": config})
    return driving.create_agreements(stack.consent, config_file(ours, "demo-agreements.yaml"))
