"""KafkaTopic resources from the topic policy: partitions, replicas and configs of every topic.

Pure: `TopicSpec` values in (services/bus/topic_policy.py), Strimzi KafkaTopic
documents out. A topic whose name Kubernetes cannot take as an object name
(`_schemas`: no underscore allowed) gets a cleaned name with a digest of the
real one, and `spec.topicName` carries the real name, as Strimzi expects.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any, Final

from services.bus.topic_policy import TopicSpec
from services.deploy.exceptions import UntranslatableError
from services.deploy.strimzi import API_VERSION, Placement, is_object_name

_NOT_IN_NAMES: Final = re.compile(r"[^a-z0-9.-]+")
_DIGEST_LENGTH: Final = 10


def topic_resource_name(topic: str) -> str:
    """The KafkaTopic's object name: the topic's own, else a cleaned one with a digest."""
    if is_object_name(topic):
        return topic
    cleaned = _NOT_IN_NAMES.sub("-", topic.lower()).strip(".-") or "topic"
    digest = hashlib.sha256(topic.encode()).hexdigest()[:_DIGEST_LENGTH]
    return f"{cleaned}-{digest}"


def kafka_topic(spec: TopicSpec, placement: Placement, brokers: int) -> dict[str, Any]:
    """The KafkaTopic of `spec` on a cluster of `brokers` brokers (refused when it cannot fit)."""
    where = f"topic {spec.name} (family {spec.family or 'none'})"
    if spec.replication_factor > brokers:
        msg = (
            f"{where}: replication factor {spec.replication_factor} is more than the "
            f"{brokers} brokers of --brokers"
        )
        raise UntranslatableError(msg)
    min_insync = int(spec.config.get("min.insync.replicas", "1"))
    if min_insync > spec.replication_factor:
        msg = (
            f"{where}: min.insync.replicas {min_insync} is more than its replication factor "
            f"{spec.replication_factor}, so no write could ever be acknowledged"
        )
        raise UntranslatableError(msg)
    name = topic_resource_name(spec.name)
    body: dict[str, Any] = {} if name == spec.name else {"topicName": spec.name}
    body |= {
        "partitions": spec.partitions,
        "replicas": spec.replication_factor,
        "config": dict(sorted(spec.config.items())),
    }
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaTopic",
        "metadata": placement.metadata(name),
        "spec": body,
    }


def kafka_topics(
    specs: Iterable[TopicSpec], placement: Placement, brokers: int
) -> list[dict[str, Any]]:
    """One KafkaTopic per spec, sorted by topic; two topics may not share an object name."""
    resources: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for spec in sorted(specs, key=lambda spec: spec.name):
        resource = kafka_topic(spec, placement, brokers)
        name = resource["metadata"]["name"]
        if name in seen:
            msg = f"topics {seen[name]} and {spec.name} would both be KafkaTopic {name}"
            raise UntranslatableError(msg)
        seen[name] = spec.name
        resources.append(resource)
    return resources
