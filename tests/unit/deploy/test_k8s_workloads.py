"""deploy/k8s's workloads: probes, metrics, limits, non-root pods, their principals and settings."""

from __future__ import annotations

import inspect
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
    scrape_annotations,
    selects,
    settings_map,
    workload,
    workload_names,
)

from services.alerts.settings import AlertsSettings
from services.bus.settings import BusSettings
from services.cli.main import app
from services.cli.settings_table import all_settings
from services.database.settings import DatabaseSettings
from services.deploy.render import TOPICS_FILE, USERS_FILE
from services.governance.principals import SERVICES
from services.observability.readiness import Readiness
from services.observability.settings import ProbeSettings

HTTP_SERVICES = {
    "gateway": 8000,
    "registry": 8081,
    "consent": 8010,
    "alerts": 8020,
    "view-feed": 8030,
}
WORKERS = ("router", "thresholds")  # transactional: StatefulSets
INDEXER = "audit-indexer"
KAFKA_CLIENTS = (*HTTP_SERVICES, *WORKERS, INDEXER)
# The stream workers' probe ports: each one's ProbeSettings field and its default.
PROBE_PORTS = {
    "router": "router_probe_port",
    "thresholds": "thresholds_probe_port",
    INDEXER: "indexer_probe_port",
}
DATABASE_CLIENTS = ("consent", INDEXER)
DATABASE_SECRET = {"secretKeyRef": {"name": "joinedup-database", "key": "url"}}
CLIENT_PORT = 9093
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - what a pod must bind to be probed
STALL_S = ProbeSettings.model_fields["worker_stall_s"].default
CHECK_TIMEOUT_S = inspect.signature(Readiness).parameters["timeout_s"].default


def probe_port(name: str) -> int:
    """The port stream worker `name` serves its probes on by default."""
    return ProbeSettings.model_fields[PROBE_PORTS[name]].default


class TestPods:
    def test_every_workload_is_one_these_tests_know(self):
        """A new workload must be placed here, so every check below covers it."""
        assert workload_names() == sorted([*KAFKA_CLIENTS, "register-schemas"])

    @pytest.mark.parametrize("name", workload_names())
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

    @pytest.mark.parametrize("name", workload_names())
    def test_every_container_requests_and_limits_cpu_and_memory(self, name):
        """Requests schedule the pod; limits bound it."""
        resources = container(name)["resources"]

        for bound in ("requests", "limits"):
            assert set(resources[bound]) == {"cpu", "memory"}, bound

    @pytest.mark.parametrize(("name", "port"), HTTP_SERVICES.items())
    def test_http_services_are_ready_on_readyz_and_alive_on_healthz(self, name, port):
        """Ready while /readyz's dependencies answer; alive while /healthz answers the process."""
        own = container(name)

        assert own["ports"] == [{"name": "http", "containerPort": port}]
        assert own["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert own["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert ["--host", ALL_INTERFACES, "--port", str(port)] == own["command"][-4:]

    @pytest.mark.parametrize("name", [*HTTP_SERVICES, *PROBE_PORTS])
    def test_readiness_waits_for_the_slowest_dependency(self, name):
        """The kubelet waits for /readyz longer than a dependency check may take (not 1 s)."""
        own = container(name)

        assert own["readinessProbe"]["timeoutSeconds"] > CHECK_TIMEOUT_S
        assert own["livenessProbe"]["timeoutSeconds"] > 1

    @pytest.mark.parametrize("name", [n for n in workload_names() if n != "register-schemas"])
    def test_every_long_running_pod_is_scraped_on_a_port_it_serves(self, name):
        """prometheus.io annotations name /metrics on the container's http or probes port."""
        scrape = scrape_annotations(name)
        ports = {p["containerPort"]: p["name"] for p in container(name)["ports"]}

        assert scrape["scrape"] == "true"
        assert scrape["path"] == "/metrics"
        assert ports[int(scrape["port"])] in {"http", "probes"}

    def test_the_schema_job_is_not_scraped(self):
        """register-schemas runs once and serves nothing: no scrape target that never answers."""
        assert scrape_annotations("register-schemas") == {}

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


class TestStreamWorkerProbes:
    @pytest.mark.parametrize("name", PROBE_PORTS)
    def test_workers_serve_probes_on_their_setting_s_port_to_the_pod_network(self, name):
        """Port `probes` is the worker's default probe port, bound on 0.0.0.0, not loopback."""
        own = container(name)
        env = environment(own)
        port_variable = f"JOINEDUP_{PROBE_PORTS[name].upper()}"
        host = env.get("JOINEDUP_PROBE_HOST", {}).get("value")

        assert own["ports"] == [{"name": "probes", "containerPort": probe_port(name)}]
        assert port_variable not in settings_map()
        assert port_variable not in env
        assert (host or settings_map()["JOINEDUP_PROBE_HOST"]) == ALL_INTERFACES

    @pytest.mark.parametrize("name", PROBE_PORTS)
    def test_workers_are_ready_on_readyz_and_alive_on_healthz(self, name):
        """/readyz: broker and registry (and database) answer; /healthz: the loop turns."""
        own = container(name)

        assert own["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "probes"}
        assert own["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "probes"}

    @pytest.mark.parametrize("name", PROBE_PORTS)
    def test_a_worker_restoring_state_is_not_restarted_at_the_first_stall(self, name):
        """A restart needs /healthz failing for minutes after the stall limit itself."""
        liveness = container(name)["livenessProbe"]
        failing_for = liveness["periodSeconds"] * liveness["failureThreshold"]

        assert "JOINEDUP_WORKER_STALL_S" not in settings_map()
        assert STALL_S == 300
        assert failing_for >= STALL_S
        assert liveness["initialDelaySeconds"] >= 30


class TestAuditIndexer:
    def test_it_runs_the_indexer_from_a_deployment(self):
        """`joinedup audit indexer`; positions live in PostgreSQL, so no stable pod names."""
        assert workload(INDEXER)["kind"] == "Deployment"
        assert container(INDEXER)["command"] == ["joinedup", "audit", "indexer"]

    def test_indexers_are_no_more_than_the_audit_topics_partitions(self):
        """An indexer beyond the partitions of audit.disclosures and audit.reviews owns nothing."""
        audit = {
            t["metadata"]["name"]: t["spec"]["partitions"]
            for t in rendered(TOPICS_FILE)
            if t["metadata"]["name"] in {"audit.disclosures", "audit.reviews"}
        }
        replicas = workload(INDEXER)["spec"]["replicas"]

        assert len(audit) == 2
        assert 1 <= replicas <= min(audit.values())

    def test_a_drain_takes_one_indexer_at_a_time(self):
        """The budget lets one indexer go; the group gives its partitions to the other."""
        (budget,) = [b for b in by_kind("PodDisruptionBudget") if b["metadata"]["name"] == INDEXER]

        assert budget["spec"]["maxUnavailable"] == 1
        assert selects(budget["spec"]["selector"], pod_labels(INDEXER))

    @pytest.mark.parametrize("name", DATABASE_CLIENTS)
    def test_database_clients_take_the_url_from_the_database_secret(self, name):
        """The indexer writes, consent reads the audit index: one URL, from a Secret."""
        assert environment(container(name))["JOINEDUP_DATABASE_URL"]["valueFrom"] == (
            DATABASE_SECRET
        )

    def test_no_other_pod_is_given_the_database(self):
        """Only the two that use it hold the database's credentials."""
        holders = {
            name
            for name in workload_names()
            if "JOINEDUP_DATABASE_URL" in environment(container(name))
        }

        assert holders == set(DATABASE_CLIENTS)
        assert "JOINEDUP_DATABASE_URL" not in settings_map()


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
        if name in DATABASE_CLIENTS:
            assert not DatabaseSettings().uses_local_server


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
