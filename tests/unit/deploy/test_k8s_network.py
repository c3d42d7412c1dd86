"""deploy/k8s's NetworkPolicies: only what must talk, talks."""

from __future__ import annotations

import pytest
from k8s_manifests import WORKLOADS, allows_out, by_kind, pod_labels, policies, selects

HTTP_SERVICES = {"gateway": 8000, "registry": 8081, "consent": 8010, "alerts": 8020}
REGISTRY_CLIENTS = ("gateway", "consent", "alerts", "router", "thresholds", "register-schemas")


class TestNetwork:
    @pytest.mark.parametrize("name", sorted(REGISTRY_CLIENTS))
    def test_registry_clients_reach_it_and_it_admits_them(self, name):
        """Both sides of the registry's port agree on who its clients are."""
        registry = pod_labels("registry")
        admitted = [
            peer
            for rule in policies("ingress", "registry")
            if any(p["port"] == HTTP_SERVICES["registry"] for p in rule["ports"])
            for peer in rule["from"]
        ]

        assert allows_out(name, registry, HTTP_SERVICES["registry"])
        assert any(selects(peer["podSelector"], pod_labels(name)) for peer in admitted)

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
            item["metadata"]["name"]
            for item in by_kind(*WORKLOADS)
            if any(
                "ipBlock" in peer
                for r in policies("egress", item["metadata"]["name"])
                for peer in r["to"]
            )
        }

        assert outside == {"alerts"}

    @pytest.mark.parametrize(
        ("name", "port"), [(n, p) for n, p in HTTP_SERVICES.items() if n != "registry"]
    )
    def test_http_services_take_requests_on_their_port_only(self, name, port):
        """The gateway, consent and alerts ports are open; nothing else of theirs is."""
        ports = {p["port"] for rule in policies("ingress", name) for p in rule["ports"]}

        assert ports == {port}
