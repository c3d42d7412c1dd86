"""`joinedup deploy render`: a deployment's Strimzi topics and users, from the project's data.

One source of truth: the topic policy (the packaged services/bus/topic_policy.yaml
or JOINEDUP_TOPIC_POLICY_FILE), the agency directory (agencies.yaml of the
configuration, or `--agencies`) and the principals and ACLs of
services/governance, exactly as `joinedup topics apply` and `joinedup acl apply`
use them on a cluster without Strimzi. On Strimzi the Topic and User Operators
apply the rendered resources instead.

Replicas follow the cluster's size: a topic the policy leaves unset gets
min(3, brokers) replicas and min.insync.replicas one less (at least 1), so that
a broker can be down for maintenance while writes with acks=all go on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from services.bus.settings import BusSettings
from services.bus.topic_policy import topic_policy
from services.deploy.exceptions import RenderOptionError
from services.deploy.kafka_topics import kafka_topics
from services.deploy.kafka_users import kafka_users
from services.deploy.strimzi import Placement
from services.governance.acls import desired_acls
from services.governance.platform_topics import platform_topics
from services.governance.principals import all_principals, load_directory

TOPICS_FILE: Final = "kafka-topics.yaml"
USERS_FILE: Final = "kafka-users.yaml"
DEFAULT_OUT: Final = Path("deploy/k8s/generated")
MAX_REPLICAS: Final = 3


@dataclass(frozen=True)
class RenderOptions:
    """Where and for what cluster size the resources are rendered."""

    namespace: str = "joinedup"
    cluster: str = "joinedup"
    brokers: int = 3
    partitions: int | None = None  # None: JOINEDUP_DEFAULT_PARTITIONS
    agencies_file: Path | None = None  # None: agencies.yaml of the configuration

    def __post_init__(self) -> None:
        """Refuse a cluster without brokers or topics without partitions."""
        for option, value in (("--brokers", self.brokers), ("--partitions", self.partitions)):
            if value is not None and value < 1:
                raise RenderOptionError(f"{option} {value} must be at least 1")


def cluster_settings(settings: BusSettings, options: RenderOptions) -> BusSettings:
    """`settings` with the cluster's replicas, min.insync.replicas and partitions."""
    replicas = min(MAX_REPLICAS, options.brokers)
    return settings.model_copy(
        update={
            "replication_factor": replicas,
            "min_insync_replicas": max(1, replicas - 1),
            "default_partitions": options.partitions or settings.default_partitions,
        }
    )


def command_line(settings: BusSettings, options: RenderOptions) -> str:
    """The command that renders the same files (the agencies file aside)."""
    return (
        f"joinedup deploy render --namespace {options.namespace} --cluster {options.cluster} "
        f"--brokers {options.brokers} "
        f"--partitions {cluster_settings(settings, options).default_partitions}"
    )


def _yaml(resources: list[dict[str, Any]], what: str, command: str) -> str:
    """`resources` as one multi-document YAML file, headed by what it is and its command."""
    header = f"# {what}, written by `{command}`: do not edit, render again.\n"
    return header + yaml.safe_dump_all(
        resources, sort_keys=False, default_flow_style=False, width=100
    )


def render(settings: BusSettings, options: RenderOptions) -> dict[str, str]:
    """The rendered files, by name: every platform topic, then every principal's user."""
    placement = Placement(options.namespace, options.cluster)
    directory = load_directory(settings, options.agencies_file)
    on_cluster = cluster_settings(settings, options)
    policy = topic_policy(settings)
    specs = [policy.spec(name, on_cluster) for name in platform_topics(directory)]
    principals = all_principals(directory)
    users = kafka_users(principals, desired_acls(principals), placement)
    command = command_line(settings, options)
    return {
        TOPICS_FILE: _yaml(
            kafka_topics(specs, placement, options.brokers),
            "Every platform topic as the topic policy says",
            command,
        ),
        USERS_FILE: _yaml(users, "Every principal with its ACLs", command),
    }


def write_files(out: Path, files: Mapping[str, str]) -> list[str]:
    """Write `files` into `out` (made when missing); one line per file saying what changed."""
    out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    for name, text in files.items():
        path = out / name
        before = path.read_text(encoding="utf-8") if path.is_file() else None
        path.write_text(text, encoding="utf-8")
        state = "unchanged" if before == text else "written"
        count = sum(1 for _ in yaml.safe_load_all(text))
        lines.append(f"{path}: {count} resources, {state}")
    return lines


def stale_files(out: Path, files: Mapping[str, str]) -> list[str]:
    """The files of `out` that are missing or differ from `files`."""
    return [
        str(out / name)
        for name, text in files.items()
        if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text
    ]
