"""Bring the platform's topics to the topic policy: create the missing, reconcile configs.

The plan is pure (`plan_topics`); reading and changing the cluster goes through
librdkafka's AdminClient. Partitions are never added here: more partitions
send a child's new records to another partition than its old ones (the key ->
partition mapping changes), which breaks the per-child order the processors
rely on. A topic short of partitions, or with another replication factor, gets
a warning line for the operator to plan the change.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import (  # not re-exported for mypy
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    ConfigSource,
)

from services.bus.settings import BusSettings
from services.bus.topic_admin import cluster_topics, create_topics
from services.bus.topic_policy import TopicSpec
from services.governance.exceptions import ClusterChangeError

VISIBLE_WITHIN_S: Final = 15.0
OWN_CONFIG: Final = ConfigSource.DYNAMIC_TOPIC_CONFIG  # described as its int value


@dataclass(frozen=True)
class TopicState:
    """One topic as the cluster has it."""

    name: str
    partitions: int
    replication_factor: int
    config: Mapping[str, str]  # every config with a value
    own_config: frozenset[str]  # the configs set on the topic itself (not broker defaults)


@dataclass(frozen=True)
class TopicPlan:
    """Topics to create, configs to set or unset, and what only an operator may change."""

    create: tuple[TopicSpec, ...] = ()
    set_configs: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    unset_configs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    before: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def changes_nothing(self) -> bool:
        """True when the topics are already as the policy says."""
        return not (self.create or self.set_configs or self.unset_configs)

    def lines(self) -> list[str]:
        """`+` a topic made, `~` a config changed, `-` a config unset, `!` a warning."""
        made = [
            f"+ topic {spec.name}: partitions {spec.partitions}, replication factor "
            f"{spec.replication_factor}, {_configs(spec.config)}"
            for spec in self.create
        ]
        changed = [
            f"~ topic {topic}: {key} {self.before.get(topic, {}).get(key, '(unset)')} -> {value}"
            for topic, values in sorted(self.set_configs.items())
            for key, value in sorted(values.items())
        ]
        unset = [
            f"- topic {topic}: {key}={self.before.get(topic, {}).get(key, '')} (not in the "
            "policy: back to the broker's default)"
            for topic, keys in sorted(self.unset_configs.items())
            for key in keys
        ]
        return [*made, *changed, *unset, *(f"! {warning}" for warning in self.warnings)]


def _configs(config: Mapping[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(config.items()))


def _warnings(spec: TopicSpec, state: TopicState) -> list[str]:
    found: list[str] = []
    if state.partitions < spec.partitions:
        found.append(
            f"topic {spec.name} has {state.partitions} partition(s), the policy says "
            f"{spec.partitions}: not increased, because more partitions move keys to other "
            "partitions and break each child's order; add them in a planned change"
        )
    if state.replication_factor != spec.replication_factor:
        found.append(
            f"topic {spec.name} has replication factor {state.replication_factor}, the policy "
            f"says {spec.replication_factor}: not changed, that needs a partition reassignment"
        )
    return found


def plan_topics(specs: Iterable[TopicSpec], states: Mapping[str, TopicState]) -> TopicPlan:
    """What brings the topics of `states` to `specs` (a topic without a state is missing)."""
    create: list[TopicSpec] = []
    set_configs: dict[str, dict[str, str]] = {}
    unset_configs: dict[str, tuple[str, ...]] = {}
    warnings: list[str] = []
    for spec in specs:
        state = states.get(spec.name)
        if state is None:
            create.append(spec)
            continue
        changed = {k: v for k, v in spec.config.items() if state.config.get(k) != v}
        if changed:
            set_configs[spec.name] = changed
        extra = tuple(sorted(state.own_config - set(spec.config)))
        if extra:
            unset_configs[spec.name] = extra
        warnings.extend(_warnings(spec, state))
    return TopicPlan(
        create=tuple(create),
        set_configs=set_configs,
        unset_configs=unset_configs,
        before={name: state.config for name, state in states.items()},
        warnings=tuple(warnings),
    )


def read_topics(
    admin: AdminClient, settings: BusSettings, names: Iterable[str]
) -> dict[str, TopicState]:
    """The state of those of `names` that exist on the cluster."""
    metadata = cluster_topics(admin, settings)
    wanted = set(names) & set(metadata)
    if not wanted:
        return {}
    resources = [ConfigResource("TOPIC", name) for name in sorted(wanted)]
    futures = admin.describe_configs(resources, request_timeout=settings.connect_timeout_s)
    states: dict[str, TopicState] = {}
    for resource, future in futures.items():
        try:
            entries: dict[str, ConfigEntry] = future.result()
        except KafkaException as exc:
            msg = f"the configs of topic {resource.name} cannot be read: {exc.args[0].str()}"
            raise ClusterChangeError(msg) from None
        partitions = metadata[resource.name].partitions
        first = partitions[min(partitions)] if partitions else None
        states[resource.name] = TopicState(
            name=resource.name,
            partitions=len(partitions),
            replication_factor=len(first.replicas) if first is not None else 0,
            config={k: e.value for k, e in entries.items() if e.value is not None},
            own_config=frozenset(
                k for k, e in entries.items() if ConfigSource(e.source) is OWN_CONFIG
            ),
        )
    return states


def _alter(admin: AdminClient, settings: BusSettings, plan: TopicPlan) -> None:
    topics = sorted({*plan.set_configs, *plan.unset_configs})
    if not topics:
        return
    resources = [
        ConfigResource(
            "TOPIC",
            topic,
            incremental_configs=[
                *(
                    ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)
                    for key, value in plan.set_configs.get(topic, {}).items()
                ),
                *(
                    ConfigEntry(key, None, incremental_operation=AlterConfigOpType.DELETE)
                    for key in plan.unset_configs.get(topic, ())
                ),
            ],
        )
        for topic in topics
    ]
    futures = admin.incremental_alter_configs(resources, request_timeout=settings.connect_timeout_s)
    for resource, future in futures.items():
        try:
            future.result()
        except KafkaException as exc:
            msg = f"the cluster refused the configs of topic {resource.name}: {exc.args[0].str()}"
            raise ClusterChangeError(msg) from None


def apply_topic_plan(
    admin: AdminClient, settings: BusSettings, specs: tuple[TopicSpec, ...], plan: TopicPlan
) -> None:
    """Make the plan's changes, then wait until the cluster shows the topics as `specs` say."""
    create_topics(admin, settings, plan.create)
    _alter(admin, settings, plan)
    deadline = time.monotonic() + VISIBLE_WITHIN_S
    while not plan_topics(
        specs, read_topics(admin, settings, [s.name for s in specs])
    ).changes_nothing:
        if time.monotonic() > deadline:
            msg = f"the topic changes on {settings.bootstrap} did not show within 15s"
            raise ClusterChangeError(msg)
        time.sleep(0.2)
