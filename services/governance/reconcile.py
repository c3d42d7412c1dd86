"""Bring a cluster's ACLs to the desired ones, touching only the principals the bus manages.

The diff is pure (`diff_acls`); reading and changing the cluster goes through
librdkafka's AdminClient (`current_acls`, `apply_acl_diff`). ACLs of principals
the bus does not manage (the super users, an operator's own tools) are never
deleted. After a change, `apply_acl_diff` waits until the cluster shows it, so
a client started next is authorised by the new ACLs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, get_args

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._acl import AclBinding, AclBindingFilter  # not re-exported for mypy

from services.bus.settings import BusSettings
from services.governance.acls import AclRule, Operation, PatternType, ResourceType
from services.governance.exceptions import ClusterChangeError
from services.governance.principals import is_managed

VISIBLE_WITHIN_S: Final = 15.0
# librdkafka names Kafka's CLUSTER resource type BROKER; every other name is Kafka's.
LIBRDKAFKA_RESOURCE_TYPES: Final[Mapping[ResourceType, str]] = {"cluster": "BROKER"}
RESOURCE_TYPES: Final[tuple[ResourceType, ...]] = get_args(ResourceType)
PATTERN_TYPES: Final[tuple[PatternType, ...]] = get_args(PatternType)
OPERATIONS: Final[tuple[Operation, ...]] = get_args(Operation)


@dataclass(frozen=True)
class AclDiff:
    """The bindings to create and to delete, each sorted."""

    create: tuple[AclRule, ...]
    delete: tuple[AclRule, ...]

    @property
    def empty(self) -> bool:
        """True when the cluster already has the desired ACLs."""
        return not (self.create or self.delete)

    def lines(self) -> list[str]:
        """`+ <binding>` per binding to create, `- <binding>` per binding to delete."""
        return [f"- {rule.describe()}" for rule in self.delete] + [
            f"+ {rule.describe()}" for rule in self.create
        ]


def diff_acls(
    desired: Iterable[AclRule], current: Iterable[AclRule], managed: frozenset[str]
) -> AclDiff:
    """What turns `current` into `desired` for the `managed` principals (others are left alone)."""
    wanted = frozenset(desired)
    present = frozenset(rule for rule in current if is_managed(rule.principal, managed))
    return AclDiff(create=tuple(sorted(wanted - present)), delete=tuple(sorted(present - wanted)))


def _fields(rule: AclRule) -> tuple[str, str, str, str, str, str, str]:
    """The rule as librdkafka's binding arguments, in their order."""
    return (
        LIBRDKAFKA_RESOURCE_TYPES.get(rule.resource_type, rule.resource_type.upper()),
        rule.resource_name,
        rule.pattern_type.upper(),
        rule.principal,
        rule.host,
        rule.operation.upper(),
        "ALLOW" if rule.allow else "DENY",
    )


def _binding(rule: AclRule) -> AclBinding:
    return AclBinding(*_fields(rule))


def _filter(rule: AclRule) -> AclBindingFilter:
    return AclBindingFilter(*_fields(rule))


def _name(value: object) -> str:
    """An enum member of librdkafka's, by its lower-case name."""
    return value.name.lower() if isinstance(value, Enum) else str(value).lower()


def rule_of(binding: AclBinding) -> AclRule | None:
    """The binding as a rule; None for a kind of binding the bus never makes (left alone)."""
    kafka_types = {v.lower(): k for k, v in LIBRDKAFKA_RESOURCE_TYPES.items()}
    resource_type = kafka_types.get(_name(binding.restype), _name(binding.restype))
    pattern_type = _name(binding.resource_pattern_type)
    operation = _name(binding.operation)
    permission = _name(binding.permission_type)
    if (
        resource_type not in RESOURCE_TYPES
        or pattern_type not in PATTERN_TYPES
        or operation not in OPERATIONS
        or permission not in {"allow", "deny"}
    ):
        return None
    return AclRule(
        principal=binding.principal,
        resource_type=resource_type,
        pattern_type=pattern_type,
        resource_name=binding.name,
        operation=operation,
        allow=permission == "allow",
        host=binding.host,
    )


def current_acls(admin: AdminClient, settings: BusSettings) -> frozenset[AclRule]:
    """Every ACL binding on the cluster the bus could have made."""
    # None matches any name, principal and host (confluent-kafka's documentation; its stub
    # says str).
    everything = AclBindingFilter(
        "ANY",
        None,  # type: ignore[arg-type]
        "ANY",
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        "ANY",
        "ANY",
    )
    try:
        bindings = admin.describe_acls(
            everything, request_timeout=settings.connect_timeout_s
        ).result()
    except KafkaException as exc:
        msg = f"the ACLs of {settings.bootstrap} cannot be read: {exc.args[0].str()}"
        raise ClusterChangeError(msg) from None
    return frozenset(rule for rule in map(rule_of, bindings) if rule is not None)


def _wait_for_each(futures: Mapping[Any, Future[Any]], what: str) -> None:
    for key, future in futures.items():
        try:
            future.result()
        except KafkaException as exc:
            msg = f"the cluster refused to {what} {key}: {exc.args[0].str()}"
            raise ClusterChangeError(msg) from None


def apply_acl_diff(admin: AdminClient, settings: BusSettings, diff: AclDiff) -> None:
    """Delete then create the diff's bindings, and wait until the cluster shows them."""
    timeout = settings.connect_timeout_s
    if diff.delete:
        filters = [_filter(rule) for rule in diff.delete]
        _wait_for_each(admin.delete_acls(filters, request_timeout=timeout), "delete the ACLs of")
    if diff.create:
        bindings = [_binding(rule) for rule in diff.create]
        _wait_for_each(admin.create_acls(bindings, request_timeout=timeout), "create the ACL")
    deadline = time.monotonic() + VISIBLE_WITHIN_S
    while True:
        present = current_acls(admin, settings)
        if set(diff.create) <= present and not set(diff.delete) & present:
            return
        if time.monotonic() > deadline:
            msg = (
                f"the ACL changes on {settings.bootstrap} did not show within {VISIBLE_WITHIN_S:g}s"
            )
            raise ClusterChangeError(msg)
        time.sleep(0.2)
