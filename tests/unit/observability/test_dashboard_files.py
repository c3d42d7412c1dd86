"""deploy/prometheus and deploy/grafana: they query what the code exports, where compose runs it.

The dashboard's and the alerting rules' PromQL may name only series a scrape
shows (`exported_names`), every family the code exports is charted, Prometheus
scrapes every compose service that serves /metrics on the port it serves it
on, and Grafana's provisioning points at the dashboard and the datasource the
panels name.
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from prometheus_client import CollectorRegistry
from pydantic_settings import BaseSettings
from rigs.compose import ROOT, load_compose

from services.alerts.settings import AlertsSettings
from services.cli.settings_table import settings_of
from services.consent.settings import ConsentSettings
from services.gateway.settings import GatewaySettings
from services.observability.metrics import Metrics, exported_names
from services.observability.settings import ProbeSettings
from services.view_feed.settings import ViewFeedSettings

PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "joinedup.json"
DATASOURCES = GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml"
PROVIDERS = GRAFANA_DIR / "provisioning" / "dashboards" / "joinedup.yml"
PANEL_TYPES = {"timeseries", "stat"}

# PromQL's functions and aggregations (a name followed by "(") and its keywords.
FUNCTIONS = frozenset(
    word
    for line in (
        "abs absent absent_over_time avg avg_over_time bottomk ceil changes clamp clamp_max",
        "clamp_min count count_over_time count_values delta deriv exp floor group",
        "histogram_quantile idelta increase irate label_join label_replace last_over_time ln",
        "max max_over_time min min_over_time predict_linear quantile quantile_over_time rate",
        "resets round scalar sort sort_desc sqrt stddev stdvar sum sum_over_time time",
        "timestamp topk vector",
    )
    for word in line.split()
)
KEYWORDS = frozenset(
    word
    for line in ("and or unless by without on ignoring group_left group_right bool offset inf nan",)
    for word in line.split()
)
# Series Prometheus makes itself for every target, which the rules (not the panels) may use.
PROMETHEUS_SERIES = frozenset({"up"})
# Families the dashboard deliberately leaves out, each with the reason. None today.
UNCHARTED: dict[str, str] = {}

# Where each long-running command of the compose file serves /metrics: the settings
# class and field giving its port (the schema registry's is JOINEDUP_REGISTRY_URL's).
PORT_SETTING: dict[tuple[str, str], tuple[type[BaseSettings], str]] = {
    ("gateway", "serve"): (GatewaySettings, "JOINEDUP_GATEWAY_PORT"),
    ("consent", "serve"): (ConsentSettings, "JOINEDUP_CONSENT_PORT"),
    ("alerts", "serve"): (AlertsSettings, "JOINEDUP_ALERTS_PORT"),
    ("view-feed", "serve"): (ViewFeedSettings, "JOINEDUP_VIEW_FEED_PORT"),
    ("router", "worker"): (ProbeSettings, "JOINEDUP_ROUTER_PROBE_PORT"),
    ("thresholds", "worker"): (ProbeSettings, "JOINEDUP_THRESHOLDS_PROBE_PORT"),
    ("audit", "indexer"): (ProbeSettings, "JOINEDUP_INDEXER_PROBE_PORT"),
}
REGISTRY = ("registry", "serve")
WORKERS = {key for key, (cls, _) in PORT_SETTING.items() if cls is ProbeSettings}


def metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression selects (functions, keywords and labels left out).

    Strings, label matchers `{...}`, ranges `[...]` (Grafana's `$__rate_interval`
    with them) and grouping label lists (`by (app)`) are removed; then a name
    followed by "(" is a function, which must be one PromQL has.
    """
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', " ", expr)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names: set[str] = set()
    for token in re.finditer(r"[A-Za-z_:][\w:]*|\d[\w.]*|\S", text):
        word = token.group()
        if not re.fullmatch(r"[A-Za-z_:][\w:]*", word) or word.lower() in KEYWORDS:
            continue
        if text[token.end() :].lstrip().startswith("("):
            assert word in FUNCTIONS, f"{word!r} is not a PromQL function ({expr})"
        else:
            names.add(word)
    return names


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    """The dashboard's JSON."""
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def prometheus() -> dict[str, Any]:
    """deploy/prometheus/prometheus.yml."""
    return yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """docker-compose.yml."""
    return load_compose()


@pytest.fixture(scope="module")
def exported() -> frozenset[str]:
    """Every series name a scrape of the project's metrics can show."""
    return exported_names(Metrics(CollectorRegistry()))


def charts(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """The dashboard's panels other than rows (those of collapsed rows included)."""
    found: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            found.extend(panel.get("panels", []))
        else:
            found.append(panel)
    return found


def expressions(dashboard: dict[str, Any]) -> list[str]:
    """Every target's PromQL."""
    return [target["expr"] for panel in charts(dashboard) for target in panel["targets"]]


def rule_expressions() -> list[str]:
    """Every alerting rule's PromQL in deploy/prometheus/alerts.yml."""
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text(encoding="utf-8"))
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def one_shot(compose: dict[str, Any]) -> set[str]:
    """Services others wait for to exit (security-init, bus-init)."""
    return {
        name
        for service in compose["services"].values()
        for name, condition in (service.get("depends_on") or {}).items()
        if condition.get("condition") == "service_completed_successfully"
    }


def default_port(settings_class: type[BaseSettings], variable: str) -> int:
    """The port a settings class gives `variable` unless the environment says otherwise."""
    (setting,) = [s for s in settings_of(settings_class) if s.variable == variable]
    return int(setting.default)


def metrics_port(service: dict[str, Any]) -> int | None:
    """The port a compose service serves /metrics on (None: it runs no such command)."""
    command = service.get("command") or []
    if command[:1] != ["joinedup"]:
        return None
    key = tuple(command[1:3])
    environment = service.get("environment") or {}
    if "--port" in command:
        return int(command[command.index("--port") + 1])
    if key == REGISTRY:
        return urlparse(environment["JOINEDUP_REGISTRY_URL"]).port
    if key not in PORT_SETTING:
        return None
    settings_class, variable = PORT_SETTING[key]
    return int(environment.get(variable, default_port(settings_class, variable)))


def served(compose: dict[str, Any]) -> dict[str, int]:
    """Each long-running compose service running a project command, and its metrics port."""
    found: dict[str, int] = {}
    for name, service in compose["services"].items():
        port = metrics_port(service)
        if port is not None and name not in one_shot(compose):
            found[name] = port
    return found


def scraped(prometheus: dict[str, Any]) -> dict[str, list[str]]:
    """Each scrape job and its static targets."""
    return {
        job["job_name"]: [
            target for config in job["static_configs"] for target in config["targets"]
        ]
        for job in prometheus["scrape_configs"]
    }


def seconds(duration: str) -> float:
    """A Prometheus duration of one unit (5s, 1m) in seconds."""
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h)", duration).groups()
    return int(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def mounted(service: dict[str, Any]) -> dict[PurePosixPath, Path]:
    """A compose service's bind mounts: container path to the repository's path."""
    found: dict[PurePosixPath, Path] = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            found[PurePosixPath(target)] = (ROOT / source).resolve()
    return found


class TestPromQL:
    def test_the_parser_finds_metrics_and_skips_functions_labels_and_ranges(self):
        """Names in selectors, bare or with labels and ranges; no function, label or number."""
        expr = (
            'histogram_quantile(0.99, sum by (service, le) (rate(a_bucket{status=~"5..",'
            'le!="x"}[$__rate_interval]))) / on (job) group_left (app) b + 1e3 * c offset 5m'
        )

        assert metric_names(expr) == {"a_bucket", "b", "c"}
        assert metric_names("sum(x) without (instance) > bool 0 unless y") == {"x", "y"}

    def test_the_parser_refuses_an_unknown_function(self):
        """A misspelt function fails the check rather than pass as a metric name."""
        with pytest.raises(AssertionError, match="histogram_quantil"):
            metric_names("histogram_quantil(0.5, x)")


class TestDashboard:
    def test_is_a_schema_39_dashboard_of_timeseries_and_stat_panels(self, dashboard):
        """schemaVersion 39, a uid; every panel titled, of a known type, with PromQL targets."""
        panels = charts(dashboard)
        ids = [panel["id"] for panel in dashboard["panels"]]

        assert dashboard["schemaVersion"] == 39
        assert dashboard["uid"]
        assert len(ids) == len(set(ids))
        assert panels
        for panel in panels:
            assert panel["title"], panel["id"]
            assert panel["type"] in PANEL_TYPES, panel["title"]
            assert panel["targets"], panel["title"]
            assert all(target["expr"].strip() for target in panel["targets"]), panel["title"]
            ref_ids = [target["refId"] for target in panel["targets"]]
            assert len(ref_ids) == len(set(ref_ids)), panel["title"]

    def test_panels_fit_the_grid(self, dashboard):
        """Every panel lies within Grafana's 24 columns."""
        for panel in dashboard["panels"]:
            grid = panel["gridPos"]
            assert grid["x"] >= 0, panel["title"]
            assert grid["x"] + grid["w"] <= 24, panel["title"]

    def test_every_expression_names_only_exported_series(self, dashboard, exported):
        """No panel queries a series the code does not export (a renamed metric fails here)."""
        unknown = {
            name: expr
            for expr in expressions(dashboard)
            for name in metric_names(expr)
            if name not in exported
        }

        assert unknown == {}

    def test_every_exported_family_is_charted(self, dashboard):
        """Each joinedup_ family the code defines is in some panel (or listed in UNCHARTED)."""
        families = {
            next(iter(family.describe())).name for family in Metrics(CollectorRegistry()).families()
        }
        used = {name for expr in expressions(dashboard) for name in metric_names(expr)}
        suffixes = ("", "_total", "_bucket", "_sum", "_count")
        charted = {f for f in families if any(f + suffix in used for suffix in suffixes)}

        assert all(f.startswith("joinedup_") for f in families)
        assert families - charted == set(UNCHARTED)
        assert set(UNCHARTED) <= families

    def test_process_resources_are_charted(self, dashboard):
        """CPU and memory come from the process collector every service and worker has."""
        used = {name for expr in expressions(dashboard) for name in metric_names(expr)}

        assert {"process_cpu_seconds_total", "process_resident_memory_bytes"} <= used

    def test_every_panel_and_target_uses_the_provisioned_datasource(self, dashboard):
        """Panels and targets name the datasource by the uid provisioning gives it."""
        (source,) = yaml.safe_load(DATASOURCES.read_text(encoding="utf-8"))["datasources"]

        for panel in charts(dashboard):
            assert panel["datasource"] == {"type": source["type"], "uid": source["uid"]}
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == source["uid"], panel["title"]


class TestPrometheus:
    def test_scrapes_every_compose_service_serving_metrics(self, compose, prometheus):
        """One job per service that serves /metrics, named after it, targeting its port."""
        expected = {name: [f"{name}:{port}"] for name, port in served(compose).items()}

        assert scraped(prometheus) == expected

    def test_every_target_is_a_compose_service(self, compose, prometheus):
        """A target's host is a service of the compose file (its name on compose's network)."""
        for targets in scraped(prometheus).values():
            for target in targets:
                assert target.rsplit(":", 1)[0] in compose["services"], target

    def test_knows_every_long_running_project_service(self, compose):
        """A project service whose port the table cannot tell fails here, not silently."""
        unknown = {
            name
            for name, service in compose["services"].items()
            if service.get("image") == "joinedup:dev"
            and name not in one_shot(compose)
            and name not in served(compose)
        }

        assert unknown == set()

    def test_scraped_services_listen_on_all_addresses(self, compose):
        """HTTP services pass --host 0.0.0.0, workers get JOINEDUP_PROBE_HOST 0.0.0.0."""
        for name in served(compose):
            service = compose["services"][name]
            command = service["command"]
            if tuple(command[1:3]) in WORKERS:
                host = service["environment"]["JOINEDUP_PROBE_HOST"]
            else:
                host = command[command.index("--host") + 1]
            assert ipaddress.ip_address(host).is_unspecified, name

    def test_scrapes_every_five_seconds_within_the_interval(self, prometheus):
        """5 s between scrapes; a scrape gives up before the next one starts."""
        interval = prometheus["global"]["scrape_interval"]

        assert interval == "5s"
        assert seconds(prometheus["global"]["scrape_timeout"]) <= seconds(interval)
        for job in prometheus["scrape_configs"]:
            assert "scrape_interval" not in job, job["job_name"]
            assert job.get("metrics_path", "/metrics") == "/metrics", job["job_name"]

    def test_rules_are_loaded_and_name_only_exported_series(self, prometheus, exported):
        """prometheus.yml loads alerts.yml, whose rules query exported series (and `up`)."""
        names = {name for expr in rule_expressions() for name in metric_names(expr)}

        assert prometheus["rule_files"] == ["alerts.yml"]
        assert (PROMETHEUS_DIR / "alerts.yml").is_file()
        assert names - exported <= PROMETHEUS_SERIES
        assert names & exported

    def test_compose_runs_it_on_this_configuration(self, compose):
        """The prometheus service mounts deploy/prometheus where --config.file looks."""
        service = compose["services"]["prometheus"]
        config = PurePosixPath(
            next(a for a in service["command"] if a.startswith("--config.file=")).split("=", 1)[1]
        )

        assert mounted(service)[config.parent] == PROMETHEUS_DIR.resolve()
        assert (PROMETHEUS_DIR / config.name).is_file()


class TestGrafanaProvisioning:
    def test_the_datasource_is_compose_prometheus(self, compose):
        """uid prometheus at http://prometheus:9090, the compose service and its port."""
        (source,) = yaml.safe_load(DATASOURCES.read_text(encoding="utf-8"))["datasources"]
        url = urlparse(source["url"])
        published = compose["services"]["prometheus"]["ports"]

        assert source["uid"] == "prometheus"
        assert source["type"] == "prometheus"
        assert url.hostname in compose["services"]
        assert any(port.endswith(f":{url.port}") for port in published)

    def test_the_provider_loads_the_dashboards_folder(self, compose):
        """The file provider's path is where compose mounts deploy/grafana/dashboards."""
        (provider,) = yaml.safe_load(PROVIDERS.read_text(encoding="utf-8"))["providers"]
        mounts = mounted(compose["services"]["grafana"])

        assert provider["type"] == "file"
        assert mounts[PurePosixPath(provider["options"]["path"])] == DASHBOARD.parent.resolve()

    def test_compose_mounts_the_provisioning_files(self, compose):
        """The datasource and provider files are in the folders Grafana reads provisioning from."""
        mounts = mounted(compose["services"]["grafana"])
        provisioning = PurePosixPath("/etc/grafana/provisioning")

        assert mounts[provisioning / "datasources"] == DATASOURCES.parent.resolve()
        assert mounts[provisioning / "dashboards"] == PROVIDERS.parent.resolve()

    def test_the_home_dashboard_is_the_provisioned_file(self, compose):
        """Grafana opens on the dashboard, at the path it is mounted under."""
        environment = compose["services"]["grafana"]["environment"]
        home = PurePosixPath(environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"])

        assert mounted(compose["services"]["grafana"])[home.parent] / home.name == DASHBOARD
