"""What every Strimzi resource the render writes shares: API version, names and metadata.

Strimzi 1.x serves its resources as `kafka.strimzi.io/v1` only (the pinned CRDs in
deploy/k8s/crds/ hold the schemas). The operators find a KafkaTopic or KafkaUser
by the `strimzi.io/cluster` label naming its Kafka cluster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from services.deploy.exceptions import RenderOptionError

API_VERSION: Final = "kafka.strimzi.io/v1"
CLUSTER_LABEL: Final = "strimzi.io/cluster"
RENDERED_LABELS: Final = {
    "app.kubernetes.io/part-of": "joinedup",
    "app.kubernetes.io/managed-by": "joinedup-deploy-render",
}
MAX_OBJECT_NAME: Final = 253
MAX_LABEL: Final = 63
# Kubernetes object names (DNS-1123 subdomains) and namespaces (DNS-1123 labels).
_SUBDOMAIN: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_LABEL: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def is_object_name(name: str) -> bool:
    """True when `name` may name a Kubernetes object (lower-case DNS-1123 subdomain)."""
    return len(name) <= MAX_OBJECT_NAME and _SUBDOMAIN.fullmatch(name) is not None


def check_label(option: str, value: str) -> str:
    """`value` when it is a DNS-1123 label; else an error naming the option and the rule."""
    if len(value) > MAX_LABEL or _LABEL.fullmatch(value) is None:
        msg = (
            f"{option} {value!r} must be 1-{MAX_LABEL} lower-case letters, digits or hyphens, "
            "starting and ending with a letter or digit (a Kubernetes DNS-1123 label)"
        )
        raise RenderOptionError(msg)
    return value


@dataclass(frozen=True)
class Placement:
    """Where the rendered resources go: a namespace and the Kafka cluster they belong to."""

    namespace: str
    cluster: str

    def __post_init__(self) -> None:
        """Refuse a namespace or cluster name Kubernetes would refuse."""
        check_label("--namespace", self.namespace)
        check_label("--cluster", self.cluster)

    def metadata(self, name: str) -> dict[str, Any]:
        """The metadata of a resource called `name` of this cluster."""
        return {
            "name": name,
            "namespace": self.namespace,
            "labels": {CLUSTER_LABEL: self.cluster, **RENDERED_LABELS},
        }
