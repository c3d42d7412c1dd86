"""deploy/k8s validates against Kubernetes' and the pinned Strimzi release's schemas."""

from __future__ import annotations

import copy

import pytest
import yaml
from k8s_manifests import (
    CRDS,
    GENERATED,
    K8S,
    STRIMZI_VERSION,
    Manifest,
    kubernetes_errors,
    kustomization,
    load_manifests,
    manifest_files,
    strimzi_errors,
)

from services.deploy.render import TOPICS_FILE, USERS_FILE

MANIFESTS = load_manifests()
CLUSTER = "joinedup"


def one(kind: str, name: str) -> dict:
    """The document of kind `kind` called `name` (a copy, free to break)."""
    (found,) = [m.document for m in MANIFESTS if m.kind == kind and m.name == name]
    return copy.deepcopy(found)


def by_kind(kind: str) -> list[dict]:
    """Every document of `kind`."""
    return [m.document for m in MANIFESTS if m.kind == kind]


class TestSchemas:
    @pytest.mark.parametrize("manifest", [m for m in MANIFESTS if not m.is_strimzi], ids=str)
    def test_core_resources_meet_the_kubernetes_schema(self, manifest: Manifest):
        """Strict: a field Kubernetes does not know is an error, as kubectl makes it."""
        assert kubernetes_errors(manifest.document) == []

    @pytest.mark.parametrize("manifest", [m for m in MANIFESTS if m.is_strimzi], ids=str)
    def test_strimzi_resources_meet_the_pinned_crds(self, manifest: Manifest):
        """Each Kafka, KafkaNodePool, KafkaTopic and KafkaUser meets its CRD's schema."""
        assert strimzi_errors(manifest.document) == []

    def test_the_pinned_crds_are_the_ones_the_readme_names(self):
        """Strimzi's four CRDs in use, each naming the release in the README."""
        names = sorted(path.name for path in CRDS.glob("*.yaml"))
        readme = (CRDS / "README.md").read_text(encoding="utf-8")

        assert names == [
            "040-Crd-kafka.yaml",
            "043-Crd-kafkatopic.yaml",
            "044-Crd-kafkauser.yaml",
            "045-Crd-kafkanodepool.yaml",
        ]
        assert all(name in readme for name in names)
        assert STRIMZI_VERSION in readme

    def test_the_kubernetes_check_catches_an_unknown_field_and_a_wrong_type(self):
        """The check is live: a misspelt probe and a replica count in words fail it."""
        misspelt = one("Deployment", "gateway")
        misspelt["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
        worded = one("StatefulSet", "router")
        worded["spec"]["replicas"] = "three"

        assert "'livenessprobe' was unexpected" in " ".join(kubernetes_errors(misspelt))
        assert "'three' is not of type 'integer'" in " ".join(kubernetes_errors(worded))

    def test_the_strimzi_check_catches_a_bad_operation_and_an_unknown_field(self):
        """The check is live: an operation Strimzi lacks and a misspelt listener field fail it."""
        user = one("KafkaUser", "joinedup.router")
        user["spec"]["authorization"]["acls"][0]["operations"] = ["Reed"]
        kafka = one("Kafka", CLUSTER)
        kafka["spec"]["kafka"]["listeners"][0]["tlss"] = True
        old = one("Kafka", CLUSTER) | {"apiVersion": "kafka.strimzi.io/v1beta2"}

        assert "'Reed' is not one of" in " ".join(strimzi_errors(user))
        assert "'tlss' was unexpected" in " ".join(strimzi_errors(kafka))
        assert strimzi_errors(old) == [
            f"no pinned Strimzi {STRIMZI_VERSION} CRD serves kafka.strimzi.io/v1beta2 Kafka"
        ]


class TestKustomization:
    def test_it_lists_every_resource_file_once(self):
        """Every file of deploy/k8s and generated/ is a resource of the base, and nothing else."""
        listed = kustomization()["resources"]

        assert sorted(listed) == sorted(str(p.relative_to(K8S)) for p in manifest_files())
        assert len(listed) == len(set(listed))
        assert f"generated/{TOPICS_FILE}" in listed
        assert f"generated/{USERS_FILE}" in listed

    def test_everything_lands_in_the_rendered_namespace(self):
        """The base's namespace is the one the rendered resources name, and a Namespace of it."""
        namespace = kustomization()["namespace"]
        rendered = load_manifests(sorted(GENERATED.glob("*.yaml")))

        assert {m.document["metadata"]["namespace"] for m in rendered} == {namespace}
        assert [n["metadata"]["name"] for n in by_kind("Namespace")] == [namespace]

    def test_every_container_runs_the_image_kustomize_sets(self):
        """One image name, `joinedup`, which the base's `images` entry pins to a tag."""
        (image,) = kustomization()["images"]
        containers = [
            c
            for kind in ("Deployment", "StatefulSet", "Job")
            for w in by_kind(kind)
            for c in w["spec"]["template"]["spec"]["containers"]
        ]

        assert {c["image"] for c in containers} == {image["name"]}
        assert image["newTag"]


class TestKafkaCluster:
    def test_kraft_node_pools_make_three_brokers_and_an_odd_quorum(self):
        """Three brokers; the controllers (KRaft, no ZooKeeper) are an odd number."""
        pools = [
            p
            for p in by_kind("KafkaNodePool")
            if p["metadata"]["labels"]["strimzi.io/cluster"] == CLUSTER
        ]
        brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
        controllers = sum(
            p["spec"]["replicas"] for p in pools if "controller" in p["spec"]["roles"]
        )

        assert brokers == 3
        assert controllers % 2 == 1

    def test_brokers_are_rack_aware_by_zone_and_spread_over_zones(self):
        """broker.rack from the zone label; the pool's pods spread evenly over the zones."""
        kafka = one("Kafka", CLUSTER)["spec"]["kafka"]
        (pool,) = by_kind("KafkaNodePool")
        (spread,) = pool["spec"]["template"]["pod"]["topologySpreadConstraints"]

        assert kafka["rack"]["topologyKey"] == "topology.kubernetes.io/zone"
        assert spread["topologyKey"] == "topology.kubernetes.io/zone"
        assert spread["whenUnsatisfiable"] == "DoNotSchedule"

    def test_every_listener_is_tls_with_scram_and_acls_decide(self):
        """No plaintext listener; SCRAM-SHA-512; the simple authorizer; no topic on first use."""
        kafka = one("Kafka", CLUSTER)["spec"]["kafka"]

        assert all(listener["tls"] for listener in kafka["listeners"])
        assert {listener["authentication"]["type"] for listener in kafka["listeners"]} == {
            "scram-sha-512"
        }
        assert kafka["authorization"]["type"] == "simple"
        assert kafka["config"]["auto.create.topics.enable"] is False

    def test_the_cluster_defaults_survive_a_broker_down(self):
        """Internal topics as the bus's: three replicas, two in sync, transactions included."""
        config = one("Kafka", CLUSTER)["spec"]["kafka"]["config"]

        assert config["default.replication.factor"] == 3
        assert config["min.insync.replicas"] == 2
        assert config["offsets.topic.replication.factor"] == 3
        assert config["transaction.state.log.replication.factor"] == 3
        assert config["transaction.state.log.min.isr"] == 2

    def test_the_operators_are_on_and_own_the_rendered_resources(self):
        """Topic and User Operators run; every rendered resource names this cluster."""
        operators = one("Kafka", CLUSTER)["spec"]["entityOperator"]
        rendered = [m for m in MANIFESTS if m.kind in {"KafkaTopic", "KafkaUser"}]

        assert {"topicOperator", "userOperator"} <= set(operators)
        assert {m.document["metadata"]["labels"]["strimzi.io/cluster"] for m in rendered} == {
            CLUSTER
        }


def test_rendered_files_parse_as_yaml_with_a_header():
    """Each generated file says how it was made before its first document."""
    for path in GENERATED.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# ")
        assert "joinedup deploy render" in text.splitlines()[0]
        assert list(yaml.safe_load_all(text))
