"""deploy/k8s as the tests read it: its documents, and the schemas they are validated against.

Core resources are checked with kubernetes-validate (the Kubernetes API's own
JSON schemas, strict: an unknown field is an error, as `kubectl apply
--validate=strict` makes it). Strimzi resources are checked against the
openAPIV3Schema of each served version of the CRDs pinned in
deploy/k8s/crds/strimzi-<version>/, made strict the same way: an object schema
that lists properties and does not preserve unknown fields refuses others.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"
GENERATED = K8S / "generated"
STRIMZI_VERSION = "1.2.0"
CRDS = K8S / "crds" / f"strimzi-{STRIMZI_VERSION}"
KUBERNETES_VERSION = "1.33"  # the oldest release the manifests are checked against
STRIMZI_GROUP = "kafka.strimzi.io"
WORKLOADS = ("Deployment", "StatefulSet", "Job")


@dataclass(frozen=True)
class Manifest:
    """One document of a file of deploy/k8s."""

    path: Path
    document: dict[str, Any]

    @property
    def kind(self) -> str:
        """The resource's kind."""
        return str(self.document["kind"])

    @property
    def name(self) -> str:
        """The resource's metadata.name."""
        return str(self.document["metadata"]["name"])

    @property
    def is_strimzi(self) -> bool:
        """True for a Strimzi custom resource."""
        return str(self.document["apiVersion"]).startswith(f"{STRIMZI_GROUP}/")

    def __str__(self) -> str:
        """Where the document is, for assertion messages."""
        return f"{self.path.relative_to(ROOT)}: {self.kind}/{self.name}"


def manifest_files() -> list[Path]:
    """The resource files of the kustomize base: deploy/k8s/*.yaml and generated/*.yaml."""
    files = sorted(K8S.glob("*.yaml")) + sorted(GENERATED.glob("*.yaml"))
    return [path for path in files if path.name != "kustomization.yaml"]


def load_manifests(paths: list[Path] | None = None) -> list[Manifest]:
    """Every document of `paths` (default: every resource file)."""
    return [
        Manifest(path, document)
        for path in paths or manifest_files()
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document is not None
    ]


@cache
def all_manifests() -> tuple[Manifest, ...]:
    """Every document of every resource file, read once."""
    return tuple(load_manifests())


def kustomization() -> dict[str, Any]:
    """deploy/k8s/kustomization.yaml."""
    return yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))


def strict(schema: Any) -> Any:
    """`schema` with unknown fields refused wherever Kubernetes would prune them."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: strict(value) for key, value in schema.items()}
    preserves = result.get("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in result and "additionalProperties" not in result and not preserves:
        result["additionalProperties"] = False
    return result


def _served_versions(crd: dict[str, Any]) -> Iterator[tuple[tuple[str, str], dict[str, Any]]]:
    """Each served version of a CRD as ((apiVersion, kind), strict schema)."""
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    for version in crd["spec"]["versions"]:
        if version["served"]:
            schema = version["schema"]["openAPIV3Schema"]
            yield (f"{group}/{version['name']}", kind), strict(schema)


@cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """The strict schema of each (apiVersion, kind) the pinned CRDs serve."""
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(CRDS.glob("*.yaml")):
        schemas.update(_served_versions(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return schemas


def strimzi_errors(document: dict[str, Any]) -> list[str]:
    """Why `document` breaks its pinned CRD's schema (one line per error; none: valid)."""
    key = (document.get("apiVersion", ""), document.get("kind", ""))
    schema = crd_schemas().get(key)
    if schema is None:
        return [f"no pinned Strimzi {STRIMZI_VERSION} CRD serves {key[0]} {key[1]}"]
    validator = jsonschema.Draft4Validator(schema)
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=str)
    ]


def kubernetes_errors(document: dict[str, Any]) -> list[str]:
    """Why `document` breaks the Kubernetes API's strict schema (none: valid)."""
    try:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        return [f"{where}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [error.message]
    return []


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a Deployment, StatefulSet or Job."""
    return workload["spec"]["template"]["spec"]


def environment(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A container's `env` entries by name."""
    return {entry["name"]: entry for entry in container.get("env", [])}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """True when a label selector (matchLabels, matchExpressions In/NotIn/Exists) picks `labels`."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values", [])
        matched = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[operator]
        if not matched:
            return False
    return True


def by_kind(*kinds: str) -> list[dict[str, Any]]:
    """Every document of one of `kinds`."""
    return [m.document for m in all_manifests() if m.kind in kinds]


def workload(name: str) -> dict[str, Any]:
    """The Deployment, StatefulSet or Job called `name`."""
    (found,) = [w for w in by_kind(*WORKLOADS) if w["metadata"]["name"] == name]
    return found


def container(name: str) -> dict[str, Any]:
    """The one container of workload `name`."""
    (found,) = pod_spec(workload(name))["containers"]
    return found


def pod_labels(name: str) -> dict[str, str]:
    """The labels of workload `name`'s pods."""
    return workload(name)["spec"]["template"]["metadata"]["labels"]


def settings_map() -> dict[str, str]:
    """The ConfigMap every pod takes its JOINEDUP_* settings from."""
    (found,) = [c for c in by_kind("ConfigMap") if c["metadata"]["name"] == "joinedup-settings"]
    return found["data"]


def rendered(file: str) -> list[dict[str, Any]]:
    """The documents of a generated file."""
    return list(yaml.safe_load_all((GENERATED / file).read_text(encoding="utf-8")))


def policies(direction: str, name: str) -> list[dict[str, Any]]:
    """The NetworkPolicy rules of `direction` (ingress/egress) that apply to workload `name`."""
    return [
        rule
        for policy in by_kind("NetworkPolicy")
        if selects(policy["spec"]["podSelector"], pod_labels(name))
        for rule in policy["spec"].get(direction, [])
    ]


def allows_out(name: str, labels: dict[str, str], port: int) -> bool:
    """True when workload `name` may open a connection to pods with `labels` on `port`."""
    return any(
        any(p["port"] == port for p in rule.get("ports", []))
        and any(
            "podSelector" in peer and selects(peer["podSelector"], labels)
            for peer in rule.get("to", [])
        )
        for rule in policies("egress", name)
    )


def covers(rule: dict[str, Any], port: int) -> bool:
    """True when a NetworkPolicy rule lets traffic through on `port` (no `ports`: every port)."""
    return "ports" not in rule or any(p["port"] == port for p in rule["ports"])


def admits_namespace(name: str, port: int, namespace: str) -> bool:
    """True when pods in `namespace` may reach workload `name` on `port`.

    Through a rule open to any source, or one naming the namespace by its
    `kubernetes.io/metadata.name` label (any pod of it).
    """
    namespace_labels = {"kubernetes.io/metadata.name": namespace}
    return any(
        "from" not in rule
        or any(
            "namespaceSelector" in peer
            and "podSelector" not in peer
            and selects(peer["namespaceSelector"], namespace_labels)
            for peer in rule["from"]
        )
        for rule in policies("ingress", name)
        if covers(rule, port)
    )


def scrape_annotations(name: str) -> dict[str, str]:
    """The prometheus.io/* annotations of workload `name`'s pods, without their prefix."""
    annotations = workload(name)["spec"]["template"]["metadata"].get("annotations", {})
    return {
        key.removeprefix("prometheus.io/"): value
        for key, value in annotations.items()
        if key.startswith("prometheus.io/")
    }


def workload_names() -> list[str]:
    """The name of every Deployment, StatefulSet and Job, sorted."""
    return sorted(w["metadata"]["name"] for w in by_kind(*WORKLOADS))
