"""The principals of the bus: one per service, one per agency of the agency directory.

Service principals are named `joinedup.<service>`: the dot cannot appear in an
agency id, so no agency can ever be given a service's principal. An agency's
principal is its agency id, the name its staff know it by. Agencies of kind
`bus` are the bus's own publishers (the thresholds service's alerts), already
represented by a service principal: they get none of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from consent.domain.agency import AgencyDirectory, load_agency_directory
from services.broker.security_files import ADMIN, BROKER
from services.bus.settings import BusSettings
from services.config.files import config_file
from services.governance.exceptions import PrincipalError

PrincipalKind = Literal["service", "agency"]
SERVICE_NAMESPACE: Final = "joinedup."
# The cluster's own super users (deploy/local/listeners-sasl_ssl.properties): never managed.
SUPER_USERS: Final = frozenset({ADMIN, BROKER})
# An agency's consumer groups are named `<agency id>-...` (the SDK's default
# `<agency>-view-reader`): the hyphen ends the agency's part of the name.
GROUP_SEPARATOR: Final = "-"


@dataclass(frozen=True, order=True)
class Principal:
    """One party that authenticates to the cluster."""

    name: str
    kind: PrincipalKind
    description: str

    @property
    def kafka(self) -> str:
        """The principal as Kafka's ACLs name it (`User:<name>`)."""
        return f"User:{self.name}"


@dataclass(frozen=True)
class Service:
    """A service of the bus and, for a stream processor, its default app id."""

    principal: Principal
    app_id: str | None = None


def _service(short: str, description: str, app_id: str | None = None) -> Service:
    return Service(Principal(f"{SERVICE_NAMESPACE}{short}", "service", description), app_id)


# The processors' app ids are the defaults of `joinedup router run` and
# `joinedup thresholds run` (tests/unit/governance check they still are): the
# consumer group, the prefix of the transactional ids `<app id>-<instance>` and
# the changelog `<app id>-children`.
GATEWAY: Final = _service("gateway", "HTTP ingest gateway: writes ingest.*, identity.links")
ROUTER: Final = _service("router", "router: consent decisions, views, audit", "joinedup-router")
THRESHOLDS: Final = _service(
    "thresholds", "thresholds worker: rules over ingest, raises alerts", "joinedup-thresholds"
)
CONSENT: Final = _service(
    "consent", "consent service: agreements, directives, audit search, identity merges"
)
ALERTS: Final = _service("alerts", "alerts service: duty teams' boards and webhooks")
REGISTRY: Final = _service("registry", "schema registry: the _schemas log")
IDENTITY_STEWARD: Final = _service("identity-steward", "identity steward: reviews identity.links")
VIEW_FEED: Final = _service("view-feed", "HTTP view feed: agencies read their views by cursor")
AUDIT_INDEXER: Final = _service(
    "audit-indexer", "audit indexer: audit.disclosures and audit.reviews into PostgreSQL"
)
SERVICES: Final = (
    GATEWAY,
    ROUTER,
    THRESHOLDS,
    CONSENT,
    ALERTS,
    REGISTRY,
    IDENTITY_STEWARD,
    AUDIT_INDEXER,
    VIEW_FEED,
)


def agency_principal(agency_id: str, name: str) -> Principal:
    """The principal of agency `agency_id` (refused when it names a super user)."""
    if agency_id in SUPER_USERS:
        msg = (
            f"agency id {agency_id!r} is refused: it names the cluster's super user "
            f"User:{agency_id}, so choose another id for that agency"
        )
        raise PrincipalError(msg)
    return Principal(agency_id, "agency", name)


def group_prefix(agency_id: str) -> str:
    """The prefix of every consumer group an agency may use: `<agency id>-`."""
    return f"{agency_id}{GROUP_SEPARATOR}"


def agency_principals(directory: AgencyDirectory) -> tuple[Principal, ...]:
    """One principal per agency of the directory, except the bus's own (kind `bus`)."""
    return tuple(
        agency_principal(agency.id, agency.name)
        for agency in directory.agencies
        if agency.kind != "bus"
    )


def all_principals(directory: AgencyDirectory) -> tuple[Principal, ...]:
    """Every principal the bus manages: the services', then the agencies'."""
    return (*(service.principal for service in SERVICES), *agency_principals(directory))


def processor_app_ids() -> tuple[str, ...]:
    """The default app ids of the stream processors."""
    return tuple(service.app_id for service in SERVICES if service.app_id is not None)


def is_managed(principal: str, managed: frozenset[str]) -> bool:
    """True for a `User:` principal in `managed` or in the services' namespace, never a super user.

    A service principal no longer in SERVICES stays managed (its ACLs are
    removed); an agency dropped from the directory is named with `--retire`.
    """
    name = principal.removeprefix("User:")
    if not principal.startswith("User:") or name in SUPER_USERS:
        return False
    return principal in managed or name.startswith(SERVICE_NAMESPACE)


def load_directory(settings: BusSettings, agencies_file: Path | None = None) -> AgencyDirectory:
    """The agency directory: `agencies_file`, else agencies.yaml of the configuration."""
    return load_agency_directory(agencies_file or config_file(settings, "agencies.yaml"))
