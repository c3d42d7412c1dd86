"""deploy/k8s/ingress.yaml: the way in from outside, over TLS, for the four public services."""

from __future__ import annotations

import re
from typing import Any

import pytest
from k8s_manifests import admits_namespace, by_kind, container, pod_labels, selects

from services.alerts.entrypoints.feed import KEEPALIVE_S
from services.gateway.adapters.json_body import DEFAULT_MAX_BODY
from services.view_feed.settings import ViewFeedSettings

PUBLIC = {"gateway", "consent", "alerts", "view-feed"}
NGINX = "nginx.ingress.kubernetes.io/"
READ_TIMEOUT_S = 60  # ingress-nginx's default proxy-read-timeout
CERTIFICATE = "joinedup-tls"  # the Secret holding the hosts' certificate
DOMAIN = "example.org"
SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def ingresses() -> dict[str, dict[str, Any]]:
    """Every Ingress, by name."""
    return {i["metadata"]["name"]: i for i in by_kind("Ingress")}


def backends(ingress: dict[str, Any]) -> list[dict[str, Any]]:
    """The Service backends of every path of an Ingress."""
    return [
        path["backend"]["service"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]


def annotation(name: str, key: str) -> str | None:
    """An ingress-nginx annotation of Ingress `name` (None: the controller's default)."""
    return ingresses()[name]["metadata"].get("annotations", {}).get(f"{NGINX}{key}")


def size_bytes(size: str) -> int:
    """An nginx size (`6m`, `512k`) in bytes."""
    match = re.fullmatch(r"(\d+)([kmg]?)", size.lower())
    assert match, f"not an nginx size: {size!r}"
    return int(match[1]) * SIZE_UNITS[match[2]]


class TestIngress:
    def test_the_four_public_services_and_nothing_else_are_exposed(self):
        """The gateway, consent, alerts and the view feed; never the registry or a worker."""
        exposed = {b["name"] for i in ingresses().values() for b in backends(i)}

        assert exposed == PUBLIC

    @pytest.mark.parametrize("name", sorted(PUBLIC))
    def test_each_routes_its_host_to_its_service_s_http_port(self, name):
        """One placeholder host under example.org, every path to the Service's port `http`."""
        ingress = ingresses()[name]
        (rule,) = ingress["spec"]["rules"]
        (service,) = [s for s in by_kind("Service") if s["metadata"]["name"] == name]

        assert ingress["spec"]["ingressClassName"] == "nginx"
        assert rule["host"] == f"{name}.{DOMAIN}"
        assert backends(ingress) == [{"name": name, "port": {"name": "http"}}]
        assert "http" in {p["name"] for p in service["spec"]["ports"]}
        assert rule["http"]["paths"][0] == {
            "path": "/",
            "pathType": "Prefix",
            "backend": {"service": {"name": name, "port": {"name": "http"}}},
        }

    @pytest.mark.parametrize("name", sorted(PUBLIC))
    def test_each_host_is_served_over_tls_from_the_shared_secret(self, name):
        """Every host of the Ingress is in its TLS section, with the certificate joinedup-tls."""
        ingress = ingresses()[name]
        hosts = {rule["host"] for rule in ingress["spec"]["rules"]}
        (tls,) = ingress["spec"]["tls"]

        assert set(tls["hosts"]) == hosts
        assert tls["secretName"] == CERTIFICATE
        assert annotation(name, "ssl-redirect") in {None, "true"}

    @pytest.mark.parametrize("name", sorted(PUBLIC))
    def test_the_controller_may_reach_each_backend_s_pods(self, name):
        """The Service picks the pods; the NetworkPolicies let a controller elsewhere reach them."""
        (service,) = [s for s in by_kind("Service") if s["metadata"]["name"] == name]
        port = container(name)["ports"][0]["containerPort"]

        assert selects({"matchLabels": service["spec"]["selector"]}, pod_labels(name))
        assert admits_namespace(name, port, "ingress-nginx")

    def test_the_gateway_keeps_a_client_on_one_pod_and_takes_its_largest_body(self):
        """Retries meet the pod that remembers the event id; a 5 MiB body is not cut at 1 MiB."""
        assert annotation("gateway", "upstream-hash-by") == "$remote_addr"
        assert size_bytes(annotation("gateway", "proxy-body-size") or "1m") >= DEFAULT_MAX_BODY

    def test_the_alerts_page_keeps_a_browser_on_one_pod_with_a_secure_cookie(self):
        """Web sign-ins live in one pod; the affinity cookie never travels over plain HTTP."""
        assert annotation("alerts", "affinity") == "cookie"
        assert annotation("alerts", "session-cookie-secure") == "true"
        assert annotation("alerts", "session-cookie-name")

    def test_sse_keepalives_and_long_polls_come_within_the_read_timeout(self):
        """SSE keep-alives and the longest long-poll come within the controller's read timeout."""
        alerts = int(annotation("alerts", "proxy-read-timeout") or READ_TIMEOUT_S)
        feed = int(annotation("view-feed", "proxy-read-timeout") or READ_TIMEOUT_S)

        assert alerts > KEEPALIVE_S
        assert feed > ViewFeedSettings.model_fields["max_wait_s"].default

    def test_the_size_reader_reads_nginx_sizes(self):
        """The test's own helper: units are binary, no unit is bytes."""
        assert size_bytes("6m") == 6 * 1024 * 1024
        assert size_bytes("512k") == 512 * 1024
        assert size_bytes("100") == 100
