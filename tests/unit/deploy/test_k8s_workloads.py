"""deploy/k8s's workloads: probes, limits, non-root pods, their principals and settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import typer
from k8s_manifests import (
    WORKLOADS,
    allows_out,
    by_kind,
    container,
    environment,
    pod_labels,
    pod_spec,
    rendered,
    selects,
    settings_map,
    workload,
)

from services.alerts.settings import AlertsSettings
from services.bus.settings import BusSettings
from services.cli.main import app
from services.cli.settings_table import all_settings
from services.deploy.render import TOPICS_FILE, USERS_FILE
from services.governance.principals import SERVICES

HTTP_SERVICES = {"gateway": 8000, "registry": 8081, "consent": 8010, "alerts": 8020}
WORKERS = ("router", "thresholds")
KAFKA_CLIENTS = (*HTTP_SERVICES, *WORKERS)
CLIENT_PORT = 9093


class TestPods:
    @pytest.mark.parametrize("name", [*KAFKA_CLIENTS, "register-schemas"])
    def test_pods_run_as_nobody_on_a_read_only_root(self, name):
        """Non-root (the image's uid 65534), no privilege escalation, no capabilities."""
        pod, own = pod_spec(workload(name)), container(name)["securityContext"]

        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 65534
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert pod["automountServiceAccountToken"] is False
        assert own == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }

    @pytest.mark.parametrize("name", [*KAFKA_CLIENTS, "register-schemas"])
    def test_every_container_requests_and_limits_cpu_and_memory(self, name):
        """Requests schedule the pod; limits bound it."""
        resources = container(name)["resources"]

        for bound in ("requests", "limits"):
            assert set(resources[bound]) == {"cpu", "memory"}, bound

    @pytest.mark.parametrize(("name", "port"), HTTP_SERVICES.items())
    def test_http_services_are_probed_on_healthz(self, name, port):
        """Ready on /healthz; alive while the port answers (or on /healthz where never 503)."""
        own = container(name)
        liveness = own["livenessProbe"]

        assert own["ports"] == [{"name": "http", "containerPort": port}]
        assert own["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert liveness.get("httpGet") == {"path": "/healthz", "port": "http"} or liveness.get(
            "tcpSocket"
        ) == {"port": "http"}
        assert ["--port", str(port)] == own["command"][-2:]

    @pytest.mark.parametrize("name", HTTP_SERVICES)
    def test_http_services_have_a_service_and_a_budget(self, name):
        """A Service on the port named http; at least one pod stays through a voluntary drain."""
        (service,) = [s for s in by_kind("Service") if s["metadata"]["name"] == name]
        (budget,) = [b for b in by_kind("PodDisruptionBudget") if b["metadata"]["name"] == name]

        assert selects({"matchLabels": service["spec"]["selector"]}, pod_labels(name))
        assert service["spec"]["ports"][0]["targetPort"] == "http"
        assert selects(budget["spec"]["selector"], pod_labels(name))
        assert budget["spec"]["minAvailable"] == 1
        assert workload(name)["spec"]["replicas"] >= 2

    def test_every_pod_is_under_the_default_deny(self):
        """Each workload's pods carry the label the deny-all NetworkPolicy selects."""
        (deny,) = [p for p in by_kind("NetworkPolicy") if p["metadata"]["name"].endswith("deny")]

        for item in by_kind(*WORKLOADS):
            labels = item["spec"]["template"]["metadata"]["labels"]
            assert selects(deny["spec"]["podSelector"], labels), item["metadata"]["name"]
        assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]


class TestWorkers:
    @pytest.mark.parametrize("name", WORKERS)
    def test_workers_are_stateful_sets_named_by_their_pod(self, name):
        """A stable pod name is the worker's --instance, so its transactional id is stable."""
        own = container(name)

        assert workload(name)["kind"] == "StatefulSet"
        assert own["command"][-2:] == ["--instance", "$(POD_NAME)"]
        assert environment(own)["POD_NAME"]["valueFrom"] == {
            "fieldRef": {"fieldPath": "metadata.name"}
        }

    @pytest.mark.parametrize("name", WORKERS)
    def test_workers_are_no_more_than_the_partitions(self, name):
        """A worker beyond the ingest topics' partition count would own nothing."""
        ingest = [t for t in rendered(TOPICS_FILE) if t["metadata"]["name"].startswith("ingest.")]
        partitions = {t["spec"]["partitions"] for t in ingest}

        assert len(partitions) == 1, "ingest topics must be co-partitioned"
        assert workload(name)["spec"]["replicas"] <= partitions.pop()
        assert int(settings_map()["JOINEDUP_DEFAULT_PARTITIONS"]) == ingest[0]["spec"]["partitions"]

    @pytest.mark.parametrize("name", WORKERS)
    def test_a_worker_drain_takes_one_at_a_time(self, name):
        """The budget lets one worker go; its partitions move to the others."""
        (budget,) = [b for b in by_kind("PodDisruptionBudget") if b["metadata"]["name"] == name]

        assert budget["spec"]["maxUnavailable"] == 1
        assert selects(budget["spec"]["selector"], pod_labels(name))


class TestKafkaClients:
    @pytest.mark.parametrize("name", KAFKA_CLIENTS)
    def test_each_signs_in_as_its_own_principal_with_the_operator_s_secret(self, name):
        """JOINEDUP_SASL_USERNAME is its principal; the password is its KafkaUser's Secret's."""
        env = environment(container(name))
        users = {u["metadata"]["name"] for u in rendered(USERS_FILE)}
        principal = f"joinedup.{name}"

        assert principal in {s.principal.name for s in SERVICES}
        assert env["JOINEDUP_SASL_USERNAME"]["value"] == principal
        assert principal in users
        assert env["JOINEDUP_SASL_PASSWORD"]["valueFrom"] == {
            "secretKeyRef": {"name": principal, "key": "password"}
        }

    @pytest.mark.parametrize("name", KAFKA_CLIENTS)
    def test_each_trusts_the_cluster_ca_and_reads_the_configuration(self, name):
        """The CA file and config folder the settings name are mounted from their sources."""
        mounts = {m["mountPath"]: m["name"] for m in container(name)["volumeMounts"]}
        volumes = {v["name"]: v for v in pod_spec(workload(name))["volumes"]}
        ca = Path(settings_map()["JOINEDUP_SSL_CA_FILE"])

        assert volumes[mounts[str(ca.parent)]]["secret"]["secretName"] == "joinedup-cluster-ca-cert"
        assert volumes[mounts[settings_map()["JOINEDUP_CONFIG_DIR"]]]["configMap"] == {
            "name": "joinedup-config"
        }

    @pytest.mark.parametrize("name", KAFKA_CLIENTS)
    def test_each_may_reach_the_brokers_and_the_brokers_admit_it(self, name):
        """Egress to the brokers' client port; the listener's peers (Strimzi's policy) name it."""
        (kafka,) = by_kind("Kafka")
        (listener,) = kafka["spec"]["kafka"]["listeners"]
        broker = {"strimzi.io/cluster": "joinedup", "strimzi.io/broker-role": "true"}

        assert listener["port"] == CLIENT_PORT
        assert (
            settings_map()["JOINEDUP_BOOTSTRAP_SERVERS"]
            == f"joinedup-kafka-bootstrap:{CLIENT_PORT}"
        )
        assert allows_out(name, broker, CLIENT_PORT)
        assert any(
            selects(p["podSelector"], pod_labels(name)) for p in listener["networkPolicyPeers"]
        )

    @pytest.mark.parametrize("name", KAFKA_CLIENTS)
    def test_each_pod_s_environment_passes_production_settings(self, name, tmp_path, monkeypatch):
        """The ConfigMap plus the pod's env (secrets stood in) satisfy production mode."""
        for variable in [v for v in os.environ if v.startswith("JOINEDUP_")]:
            monkeypatch.delenv(variable)
        for key, value in settings_map().items():
            monkeypatch.setenv(key, value)
        for key, entry in environment(container(name)).items():
            monkeypatch.setenv(key, entry.get("value", f"stand-in-{key.lower()}-0123456789"))
        (tmp_path / "ca.crt").write_text("stand-in")
        monkeypatch.setenv("JOINEDUP_SSL_CA_FILE", str(tmp_path / "ca.crt"))

        assert BusSettings().client_security.encrypted_and_authenticated
        if name == "alerts":
            assert AlertsSettings().secure_cookies


def test_every_setting_the_manifests_set_is_a_real_setting():
    """A misspelt JOINEDUP_* variable would be ignored silently: each one is a known setting."""
    known = {s.variable for s in all_settings(typer.main.get_command(app))}
    used = set(settings_map()) | {
        key
        for name in KAFKA_CLIENTS
        for key in environment(container(name))
        if key.startswith("JOINEDUP_")
    }

    assert used - known == set()
