"""The ACLs the bus wants, as plain values: who may read, write, join and commit what.

Pure: principals and topic names in, frozen `AclRule` values out. What each
service does on the bus is the table `SERVICE_ACCESS`; an agency may read its
own view, use consumer groups named `<agency id>-...` and write its view's dead
letters, and nothing else.

What Kafka 4 checks, and so what is bound (measured on Kafka 4.1 with the
StandardAuthorizer): READ and WRITE on a topic imply DESCRIBE (metadata), READ
on a group implies DESCRIBE, WRITE on a transactional id implies DESCRIBE. An
idempotent producer needs no IDEMPOTENT_WRITE on the cluster any more: WRITE on
a topic is enough (KIP-679). A transactional consume-process-produce loop needs
WRITE on its transactional ids, READ on its group (offsets in the transaction)
and READ/WRITE on its topics. librdkafka's group-less reader (state restore,
audit chain tails) still looks its `group.id` up (FindCoordinator): DESCRIBE on
that group, and only DESCRIBE, since it never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from services.bus import topics
from services.governance.exceptions import PrincipalError
from services.governance.principals import (
    ALERTS,
    AUDIT_INDEXER,
    CONSENT,
    GATEWAY,
    IDENTITY_STEWARD,
    REGISTRY,
    ROUTER,
    THRESHOLDS,
    VIEW_FEED,
    Principal,
    Service,
    group_prefix,
)

ResourceType = Literal["topic", "group", "transactional_id", "cluster"]
PatternType = Literal["literal", "prefixed"]
Operation = Literal[
    "all",
    "read",
    "write",
    "create",
    "delete",
    "alter",
    "describe",
    "cluster_action",
    "describe_configs",
    "alter_configs",
    "idempotent_write",
]
# The group.id of librdkafka's reader (services/bus/rdkafka.py `reader`), which never commits.
READER_GROUP: Final = "joinedup-reader-never-commits"
ALERTS_WEBHOOK_DEADLETTER: Final = topics.deadletter("alerts-webhook")
ALERTS_GROUP_PREFIX: Final = "joinedup-alerts-"  # the webhook relay's group (AlertsSettings)
# The duty page's own publisher, an agency of kind bus (agencies.yaml; AlertsSettings).
ALERTS_INGEST: Final = topics.ingest("joinedup-alerts")
AUDIT_INDEXER_GROUP: Final = "joinedup.audit-indexer"  # assigns partitions, never commits


@dataclass(frozen=True, order=True)
class AclRule:
    """One ACL binding: `principal` may (`allow` False: may not) do `operation` on a resource."""

    principal: str
    resource_type: ResourceType
    pattern_type: PatternType
    resource_name: str
    operation: Operation
    allow: bool = True
    host: str = "*"

    def describe(self) -> str:
        """One line: principal, permission, operation, resource and how it is matched."""
        permission = "ALLOW" if self.allow else "DENY"
        host = "" if self.host == "*" else f" from {self.host}"
        return (
            f"{self.principal} {permission} {self.operation.upper()} {self.resource_type} "
            f"{self.resource_name} ({self.pattern_type}){host}"
        )


@dataclass(frozen=True)
class Resource:
    """A resource name, matched exactly or as a prefix."""

    pattern_type: PatternType
    name: str


def exact(name: str) -> Resource:
    """The resource called `name`."""
    return Resource("literal", name)


def prefix(name: str) -> Resource:
    """Every resource whose name starts with `name`."""
    return Resource("prefixed", name)


@dataclass(frozen=True)
class Access:
    """What one principal does on the bus."""

    reads: tuple[Resource, ...] = ()
    writes: tuple[Resource, ...] = ()
    groups: tuple[Resource, ...] = ()  # consumer groups it joins and commits offsets in
    looked_up_groups: tuple[Resource, ...] = ()  # groups it only looks up (never commits)
    transactional_ids: tuple[Resource, ...] = ()


def processor(service: Service, reads: Iterable[Resource], writes: Iterable[Resource]) -> Access:
    """A stream processor's access: its topics, group, transactions, changelog and hand-overs.

    The hand-over topic `<app id>-handovers` carries merged children's state
    and forwarded records between the processor's own workers (docs/identity.md).
    """
    if service.app_id is None:
        msg = f"service {service.principal.name} has no app id, so it is not a stream processor"
        raise ValueError(msg)
    changelog = exact(topics.changelog(service.app_id))
    handovers = exact(topics.handovers(service.app_id))
    return Access(
        reads=(*reads, changelog, handovers),
        writes=(*writes, changelog, handovers),
        groups=(exact(service.app_id),),
        looked_up_groups=(exact(READER_GROUP),),
        transactional_ids=(prefix(f"{service.app_id}-"),),
    )


INGEST: Final = prefix(topics.INGEST_PREFIX)
DEAD_LETTERS: Final = prefix(topics.DEADLETTER_PREFIX)
SERVICE_ACCESS: Final[Mapping[Principal, Access]] = {
    GATEWAY.principal: Access(
        reads=(exact(topics.IDENTITY_LINKS), exact(topics.IDENTITY_MERGES)),
        writes=(
            INGEST,
            exact(topics.IDENTITY_LINKS),
            exact(topics.deadletter(topics.IDENTITY_LINKS)),
        ),
    ),
    ROUTER.principal: processor(
        ROUTER,
        reads=(
            INGEST,
            exact(topics.ALERTS_RAISED),
            prefix(topics.CONSENT_PREFIX),
            exact(topics.AUDIT_DISCLOSURES),
            exact(topics.IDENTITY_MERGES),
        ),
        writes=(prefix(topics.VIEW_PREFIX), exact(topics.AUDIT_DISCLOSURES), DEAD_LETTERS),
    ),
    THRESHOLDS.principal: processor(
        THRESHOLDS,
        reads=(INGEST, exact(topics.ALERTS_ACKNOWLEDGED), exact(topics.IDENTITY_MERGES)),
        writes=(exact(topics.ALERTS_RAISED), DEAD_LETTERS),
    ),
    CONSENT.principal: Access(
        reads=(
            prefix(topics.CONSENT_PREFIX),
            exact(topics.AUDIT_DISCLOSURES),
            exact(topics.IDENTITY_MERGES),
        ),
        writes=(
            prefix(topics.CONSENT_PREFIX),
            exact(topics.AUDIT_REVIEWS),
            exact(topics.IDENTITY_MERGES),
        ),
    ),
    # ingest.joinedup-alerts: what duty users raise on the duty page (a referrer's professional
    # disagreement), as their own agency (services/alerts/adapters/disagreements.py).
    ALERTS.principal: Access(
        reads=(prefix(topics.VIEW_PREFIX), exact(topics.ALERTS_ACKNOWLEDGED)),
        writes=(
            exact(topics.ALERTS_ACKNOWLEDGED),
            exact(ALERTS_WEBHOOK_DEADLETTER),
            exact(ALERTS_INGEST),
        ),
        groups=(prefix(ALERTS_GROUP_PREFIX),),
    ),
    REGISTRY.principal: Access(reads=(exact(topics.SCHEMAS),), writes=(exact(topics.SCHEMAS),)),
    IDENTITY_STEWARD.principal: Access(reads=(exact(topics.IDENTITY_LINKS),)),
    # Group-less readers seeking by each request's cursor: no group, no commits.
    VIEW_FEED.principal: Access(reads=(prefix(topics.VIEW_PREFIX),)),
    # Positions live in PostgreSQL, not in Kafka: the group only assigns partitions.
    AUDIT_INDEXER.principal: Access(
        reads=(exact(topics.AUDIT_DISCLOSURES), exact(topics.AUDIT_REVIEWS)),
        writes=(
            exact(topics.deadletter(topics.AUDIT_DISCLOSURES)),
            exact(topics.deadletter(topics.AUDIT_REVIEWS)),
        ),
        groups=(exact(AUDIT_INDEXER_GROUP),),
    ),
}


def agency_access(agency_id: str) -> Access:
    """An agency reads its own view in groups `<agency id>-...`; nothing else but its dead letters.

    Its subscriber writes what it cannot decode to `deadletter.view.<agency id>`.
    """
    view = topics.view(agency_id)
    return Access(
        reads=(exact(view),),
        writes=(exact(topics.deadletter(view)),),
        groups=(prefix(group_prefix(agency_id)),),
    )


def access_of(principal: Principal) -> Access:
    """What `principal` may do: its service's row, or an agency's own view."""
    if principal.kind == "agency":
        return agency_access(principal.name)
    return SERVICE_ACCESS.get(principal, Access())


def rules_for(principal: Principal, access: Access) -> frozenset[AclRule]:
    """The ACL bindings that give `principal` exactly `access`."""
    grants: list[tuple[ResourceType, Operation, tuple[Resource, ...]]] = [
        ("topic", "read", access.reads),
        ("topic", "write", access.writes),
        ("group", "read", access.groups),
        ("group", "describe", access.looked_up_groups),
        ("transactional_id", "write", access.transactional_ids),
    ]
    return frozenset(
        AclRule(principal.kafka, kind, resource.pattern_type, resource.name, operation)
        for kind, operation, resources in grants
        for resource in resources
    )


def _refuse_shared_groups(principals: Iterable[Principal]) -> None:
    """Refuse an agency whose group prefix covers another principal's consumer groups."""
    groups = [
        (principal, resource)
        for principal in principals
        for resource in (*access_of(principal).groups, *access_of(principal).looked_up_groups)
    ]
    for agency, own in groups:
        if agency.kind != "agency":
            continue
        for other, theirs in groups:
            covered = theirs.name.startswith(own.name) or (
                theirs.pattern_type == "prefixed" and own.name.startswith(theirs.name)
            )
            if other != agency and covered:
                msg = (
                    f"agency id {agency.name!r} is refused: its consumer groups {own.name}* "
                    f"overlap the groups {theirs.name} of {other.name}, so one could join the "
                    "other's; give one of them another id"
                )
                raise PrincipalError(msg)


def desired_acls(principals: Iterable[Principal]) -> frozenset[AclRule]:
    """Every ACL binding the bus wants for `principals` (refused when two would share groups)."""
    principals = tuple(principals)
    _refuse_shared_groups(principals)
    return frozenset(rule for p in principals for rule in rules_for(p, access_of(p)))
