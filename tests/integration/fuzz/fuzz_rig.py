"""The four HTTP services of the bus, started for fuzzing on the real broker.

Each runs in this process under uvicorn, in a thread of its own, on a loopback
port below the ephemeral range. Callers sign in with the development tokens
of the packaged configuration (`dev-token-<agency>`, `dev-token-<user>`,
`dev-duty-<id>`), checked here against the packaged digests. Every topic the
services write is the run's own: the consent and registry topics and the
gateway's links topic are named for the run, and each packaged agency is
renamed `<agency>-<run>` (same token digest), so its ingest and view topics
are the run's too.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import yaml
from hypothesis.errors import HypothesisDeprecationWarning
from rigs.threaded import ThreadedApp
from rigs.views import view_publisher

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.alerts.bootstrap import build_app as build_alerts
from services.alerts.samples import alert_record
from services.alerts.settings import AlertsSettings
from services.bus import topics
from services.bus.kafka import ensure_topics, partitions_of
from services.bus.partition_reader import records_to_end
from services.bus.settings import BusSettings
from services.config.files import packaged_default
from services.consent.adapters.topics import ConsentTopics
from services.consent.bootstrap import ConsentOptions, build_consent_service
from services.gateway.bootstrap import GatewayOptions, build_gateway
from services.registry.bootstrap import build_app as build_registry

T = TypeVar("T")
APIS = ("gateway", "consent", "alerts", "registry")
ALERTS_PER_AGENCY = 2
BOARD_TIMEOUT_S = 60.0


def run_async(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to its end in a thread of its own (the caller may be inside a loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(work())).result()


@contextlib.contextmanager
def others_use_random() -> Iterator[None]:
    """Silence hypothesis's warning that a strategy used the global `random` module.

    It compares the global random state before and after each draw; here the
    services' Kafka consumers, in their own threads, shuffle with it meanwhile.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="Do not use the `random` module inside strategies",
            category=HypothesisDeprecationWarning,
        )
        yield


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _packaged(name: str, key: str) -> list[dict[str, Any]]:
    document = yaml.safe_load(packaged_default(name).read_text(encoding="utf-8"))
    return list(document[key])


def _checked(token: str, entry: Mapping[str, Any], name: str) -> str:
    if _digest(token) != entry["token_sha256"]:
        msg = f"packaged {name}: {token!r} is not the development token of {entry}"
        raise AssertionError(msg)
    return token


@dataclass(frozen=True)
class Caller:
    """Who signs in with a token: their agency (renamed for the run) or their roles."""

    token: str
    agency: str | None = None
    roles: tuple[str, ...] = ()

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header of this caller."""
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Tokens:
    """The packaged development tokens, by service."""

    publishers: list[Caller]
    consent: dict[str, Caller]
    duty: dict[str, Caller]

    @classmethod
    def packaged(cls, suffix: str) -> Tokens:
        """Read the packaged users; each agency gets the run's suffix."""
        publishers = [
            Caller(
                _checked(f"dev-token-{e['agency']}", e, "publishers.yaml"),
                f"{e['agency']}-{suffix}",
            )
            for e in _packaged("publishers.yaml", "publishers")
        ]
        consent = {
            e["name"]: Caller(
                _checked(f"dev-token-{e['name']}", e, "consent-users.yaml"),
                roles=tuple(e["roles"]),
            )
            for e in _packaged("consent-users.yaml", "users")
        }
        duty = {
            e["id"]: Caller(
                _checked(f"dev-duty-{e['id']}", e, "duty-users.yaml"),
                f"{e['agency']}-{suffix}",
                (e["role"],),
            )
            for e in _packaged("duty-users.yaml", "users")
        }
        return cls(publishers, consent, duty)


def _renamed_files(folder: Path, suffix: str) -> tuple[Path, Path, Path]:
    """publishers.yaml and duty-users.yaml with the run's agencies; no webhooks."""
    publishers = _packaged("publishers.yaml", "publishers")
    for entry in publishers:
        entry["agency"] = f"{entry['agency']}-{suffix}"
    duty = _packaged("duty-users.yaml", "users")
    for entry in duty:
        entry["agency"] = f"{entry['agency']}-{suffix}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / "publishers.yaml", folder / "duty-users.yaml", folder / "webhooks.yaml")
    paths[0].write_text(yaml.safe_dump({"publishers": publishers}), encoding="utf-8")
    paths[1].write_text(yaml.safe_dump({"users": duty}), encoding="utf-8")
    paths[2].write_text("webhooks: []\n", encoding="utf-8")
    return paths


@dataclass
class FuzzServices:
    """The four services of one run, the tokens to call them and what was seeded."""

    settings: BusSettings
    suffix: str
    tokens: Tokens
    apps: dict[str, ThreadedApp]
    gateway_source: InMemorySchemaSource
    alert_ids: dict[str, list[str]] = field(default_factory=dict)

    def url(self, api: str) -> str:
        """Base URL of one service."""
        return self.apps[api].url

    @property
    def ingest_topics(self) -> list[str]:
        """The run's ingest topics, one per publishing agency."""
        return [topics.ingest(str(caller.agency)) for caller in self.tokens.publishers]

    def stop(self) -> None:
        """Stop every service, newest first."""
        for app in reversed(list(self.apps.values())):
            app.stop()


async def _seed_alerts(settings: BusSettings, source: InMemorySchemaSource, agencies: list[str]):
    """Alerts already in the run's views, so alert routes meet real alert ids."""
    await ensure_topics(settings, [topics.view(agency) for agency in agencies])
    seeded: dict[str, list[str]] = {}
    async with view_publisher(settings, AvroCodec(source)) as publish:
        for agency in agencies:
            for _ in range(ALERTS_PER_AGENCY):
                alert_id = str(uuid.uuid4())
                await publish(alert_record(agency, alert_id=alert_id))
                seeded.setdefault(agency, []).append(alert_id)
    return seeded


def start_services(settings: BusSettings, folder: Path, database_url: str) -> FuzzServices:
    """Start the registry, gateway, consent and alerts services; topics of the run's own.

    `database_url`: the consent service's audit index (a database of the run's own).
    """
    suffix = f"fz{uuid.uuid4().hex[:8]}"
    tokens = Tokens.packaged(suffix)
    publishers, duty_users, webhooks = _renamed_files(folder, suffix)
    gateway_source = InMemorySchemaSource()
    alerts_source = InMemorySchemaSource()
    alert_agencies = sorted({str(c.agency) for c in tokens.duty.values()})
    seeded = run_async(lambda: _seed_alerts(settings, alerts_source, alert_agencies))
    builders: dict[str, Callable[[], Any]] = {
        "registry": lambda: build_registry(settings, topic=f"_schemas-{suffix}"),
        "gateway": lambda: build_gateway(
            settings,
            gateway_source,
            GatewayOptions(publishers_file=publishers, links_topic=f"identity.links-{suffix}"),
        ),
        "consent": lambda: build_consent_service(
            settings,
            InMemorySchemaSource(),
            ConsentOptions(
                agencies_file=packaged_default("agencies.yaml"),
                users_file=packaged_default("consent-users.yaml"),
                topics=ConsentTopics(
                    agreements=f"consent.agreements-{suffix}",
                    directives=f"consent.directives-{suffix}",
                    audit=f"audit.disclosures-{suffix}",
                ),
                database_url=database_url,
            ),
        ),
        "alerts": lambda: build_alerts(
            settings,
            AlertsSettings(
                users_file=duty_users,
                webhooks_file=webhooks,
                acknowledged_topic=f"alerts.acknowledged-{suffix}",
                webhook_group=f"alerts-webhooks-{suffix}",
            ),
            schema_source=alerts_source,
        ),
    }
    services = FuzzServices(settings, suffix, tokens, {}, gateway_source, seeded)
    try:
        for name in APIS:
            services.apps[name] = ThreadedApp(name, builders[name]).start()
        _wait_for_board(services)
    except BaseException:
        services.stop()
        raise
    return services


def _wait_for_board(services: FuzzServices) -> None:
    """Wait until the alerts service shows the alerts seeded for the first duty user."""
    caller = next(iter(services.tokens.duty.values()))
    wanted = set(services.alert_ids[str(caller.agency)])
    deadline = time.monotonic() + BOARD_TIMEOUT_S
    while time.monotonic() < deadline:
        answer = httpx.get(f"{services.url('alerts')}/api/alerts", headers=caller.headers)
        if wanted <= {alert["alert_id"] for alert in answer.json()["alerts"]}:
            return
        time.sleep(0.2)
    msg = f"the seeded alerts were not on the board within {BOARD_TIMEOUT_S:g}s"
    raise AssertionError(msg)


def stored_event_ids(services: FuzzServices, topic_names: list[str]) -> Iterator[str]:
    """The event_id of every record on the run's ingest topics, read back from Kafka."""
    codec = AvroCodec(services.gateway_source)
    for topic in topic_names:
        partitions = run_async(lambda name=topic: partitions_of(services.settings, name))
        for message in records_to_end(services.settings, topic, partitions):
            yield str(codec.decode(message.value())["event_id"])
