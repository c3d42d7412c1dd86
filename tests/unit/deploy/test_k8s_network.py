"""deploy/k8s's NetworkPolicies: only what must talk, talks."""

from __future__ import annotations

import pytest
from k8s_manifests import (
    WORKLOADS,
    admits_namespace,
    allows_out,
    by_kind,
    covers,
    pod_labels,
    policies,
    scrape_annotations,
    selects,
    workload_names,
)

HTTP_SERVICES = {
    "gateway": 8000,
    "registry": 8081,
    "consent": 8010,
    "alerts": 8020,
    "view-feed": 8030,
}
STREAM_WORKERS = {"router": 9410, "thresholds": 9420, "audit-indexer": 9430}
REGISTRY_CLIENTS = (
    "gateway",
    "consent",
    "alerts",
    "view-feed",
    "router",
    "thresholds",
    "audit-indexer",
    "register-schemas",
)
DATABASE_CLIENTS = {"consent", "audit-indexer"}
POSTGRESQL_PORT = 5432
MONITORING = "monitoring"
SCRAPED = [name for name in workload_names() if scrape_annotations(name)]


class TestNetwork:
    @pytest.mark.parametrize("name", sorted(REGISTRY_CLIENTS))
    def test_registry_clients_reach_it_and_it_admits_them(self, name):
        """Both sides of the registry's port agree on who its clients are."""
        registry = pod_labels("registry")
        admitted = [
            peer
            for rule in policies("ingress", "registry")
            if covers(rule, HTTP_SERVICES["registry"])
            for peer in rule["from"]
        ]

        assert allows_out(name, registry, HTTP_SERVICES["registry"])
        assert any(
            "podSelector" in peer
            and "namespaceSelector" not in peer
            and selects(peer["podSelector"], pod_labels(name))
            for peer in admitted
        )

    def test_only_registry_clients_may_reach_the_registry(self):
        """A pod that needs no schemas (the registry itself) is not let in."""
        assert not allows_out("registry", pod_labels("registry"), HTTP_SERVICES["registry"])

    def test_every_pod_may_resolve_names(self):
        """DNS to kube-dns on port 53, UDP and TCP, for every pod of the bus."""
        for item in by_kind(*WORKLOADS):
            name = item["metadata"]["name"]
            ports = {
                (p["protocol"], p["port"]) for r in policies("egress", name) for p in r["ports"]
            }
            assert {("UDP", 53), ("TCP", 53)} <= ports, name

    def test_only_the_alerts_service_goes_outside(self):
        """Webhooks leave the cluster on 443; no other pod has an ipBlock egress."""
        outside = {
            name
            for name in workload_names()
            if any("ipBlock" in peer for r in policies("egress", name) for peer in r.get("to", []))
        }

        assert outside == {"alerts"}

    def test_only_database_clients_may_go_anywhere_and_only_to_postgresql(self):
        """An egress rule naming no destination is PostgreSQL's port, for its two clients."""
        anywhere = {
            (name, p["protocol"], p["port"])
            for name in workload_names()
            for rule in policies("egress", name)
            if "to" not in rule
            for p in rule["ports"]
        }

        assert anywhere == {(name, "TCP", POSTGRESQL_PORT) for name in DATABASE_CLIENTS}

    @pytest.mark.parametrize(
        ("name", "port"), [(n, p) for n, p in HTTP_SERVICES.items() if n != "registry"]
    )
    def test_http_services_take_requests_on_their_port_only(self, name, port):
        """The gateway, consent, alerts and view feed ports are open; nothing else of theirs is."""
        ports = {p["port"] for rule in policies("ingress", name) for p in rule["ports"]}

        assert ports == {port}
        assert admits_namespace(name, port, "ingress-nginx")

    @pytest.mark.parametrize(("name", "port"), STREAM_WORKERS.items())
    def test_stream_workers_admit_only_prometheus_on_their_probe_port(self, name, port):
        """No pod calls a worker: only the monitoring namespace, on the metrics port."""
        rules = policies("ingress", name)

        assert {p["port"] for rule in rules for p in rule["ports"]} == {port}
        assert all(
            peer
            == {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING}}}
            for rule in rules
            for peer in rule["from"]
        )

    def test_the_registry_admits_prometheus_besides_its_clients(self):
        """The registry's /metrics is on its API port: the monitoring namespace may reach it."""
        assert admits_namespace("registry", HTTP_SERVICES["registry"], MONITORING)
        assert not admits_namespace("registry", HTTP_SERVICES["registry"], "default")

    @pytest.mark.parametrize("name", SCRAPED)
    def test_prometheus_may_scrape_every_annotated_pod(self, name):
        """The port each pod's prometheus.io/port names is open to the monitoring namespace."""
        assert admits_namespace(name, int(scrape_annotations(name)["port"]), MONITORING)

    def test_every_long_running_pod_is_scraped(self):
        """Every Deployment and StatefulSet: the services and the workers."""
        assert sorted(SCRAPED) == sorted([*HTTP_SERVICES, *STREAM_WORKERS])
