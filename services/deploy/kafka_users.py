"""KafkaUser resources from the principals and their ACLs: one SCRAM user per principal.

Pure: `Principal` and `AclRule` values in (services/governance), Strimzi
KafkaUser documents out. Each rule is translated exactly - resource type, name
and pattern type, operation, host, allow or deny - and rules that differ only
in their operation share one entry listing the operations. The user's name is
the principal's (`User:<name>` in Kafka), so a principal Kubernetes cannot
take as an object name is refused, never renamed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Final

from services.deploy.exceptions import UntranslatableError
from services.deploy.strimzi import API_VERSION, Placement, is_object_name
from services.governance.acls import AclRule, Operation, PatternType, ResourceType
from services.governance.principals import Principal

RESOURCE_TYPES: Final[Mapping[ResourceType, str]] = {
    "topic": "topic",
    "group": "group",
    "transactional_id": "transactionalId",
    "cluster": "cluster",
}
PATTERN_TYPES: Final[Mapping[PatternType, str]] = {"literal": "literal", "prefixed": "prefix"}
OPERATIONS: Final[Mapping[Operation, str]] = {
    "all": "All",
    "read": "Read",
    "write": "Write",
    "create": "Create",
    "delete": "Delete",
    "alter": "Alter",
    "describe": "Describe",
    "cluster_action": "ClusterAction",
    "describe_configs": "DescribeConfigs",
    "alter_configs": "AlterConfigs",
    "idempotent_write": "IdempotentWrite",
}
# Kafka's one cluster resource; Strimzi's cluster ACLs name no resource at all.
KAFKA_CLUSTER: Final = "kafka-cluster"

_EntryKey = tuple[ResourceType, PatternType, str, str, bool]


def _resource(rule: AclRule) -> dict[str, str]:
    """The Strimzi `resource` of a rule."""
    if rule.resource_type == "cluster":
        if rule.resource_name != KAFKA_CLUSTER or rule.pattern_type != "literal":
            msg = (
                f"ACL rule '{rule.describe()}': a cluster rule must name the literal resource "
                f"{KAFKA_CLUSTER}, the only one Strimzi can express"
            )
            raise UntranslatableError(msg)
        return {"type": RESOURCE_TYPES["cluster"]}
    return {
        "type": RESOURCE_TYPES[rule.resource_type],
        "name": rule.resource_name,
        "patternType": PATTERN_TYPES[rule.pattern_type],
    }


def acl_entries(rules: Iterable[AclRule]) -> list[dict[str, Any]]:
    """The Strimzi ACL entries of `rules`: one per resource, host and permission."""
    operations: dict[_EntryKey, set[str]] = defaultdict(set)
    first: dict[_EntryKey, AclRule] = {}
    for rule in rules:
        key = (rule.resource_type, rule.pattern_type, rule.resource_name, rule.host, rule.allow)
        operations[key].add(OPERATIONS[rule.operation])
        first.setdefault(key, rule)
    return [
        {
            "resource": _resource(first[key]),
            "operations": sorted(operations[key]),
            "host": key[3],
            "type": "allow" if key[4] else "deny",
        }
        for key in sorted(operations)
    ]


def kafka_user(
    principal: Principal, rules: Iterable[AclRule], placement: Placement
) -> dict[str, Any]:
    """The KafkaUser of `principal`: SCRAM-SHA-512, simple authorization with `rules`."""
    if not is_object_name(principal.name):
        msg = (
            f"principal {principal.name!r} cannot name a KafkaUser: Kubernetes object names are "
            "lower-case letters, digits, '-' and '.', and the user's name is the principal's"
        )
        raise UntranslatableError(msg)
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaUser",
        "metadata": placement.metadata(principal.name),
        "spec": {
            "authentication": {"type": "scram-sha-512"},
            "authorization": {"type": "simple", "acls": acl_entries(rules)},
        },
    }


def kafka_users(
    principals: Iterable[Principal], rules: Iterable[AclRule], placement: Placement
) -> list[dict[str, Any]]:
    """One KafkaUser per principal, sorted by name; every rule lands in its principal's user."""
    chosen = sorted({p.kafka: p for p in principals}.values())
    by_principal: dict[str, list[AclRule]] = {p.kafka: [] for p in chosen}
    for rule in rules:
        if rule.principal not in by_principal:
            msg = f"ACL rule '{rule.describe()}' is for a principal that has no KafkaUser"
            raise UntranslatableError(msg)
        by_principal[rule.principal].append(rule)
    return [kafka_user(p, by_principal[p.kafka], placement) for p in chosen]
