"""Every metric the project exports, defined in one place (docs/observability.md lists them).

One `Metrics` per process (`metrics()`), made on first use, never at import.
Labels are low-cardinality by design: app ids, topics, agencies, outcome and
reason codes, HTTP route templates - never a child, an event id or a path
as sent. deploy/grafana's dashboard may query only names `exported_names`
returns (tests/unit/observability checks it).
"""

from __future__ import annotations

import functools
from typing import Final

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.metrics import MetricWrapperBase

# Seconds from an agency's publish to a view or an alert committed for others to read:
# sub-second when the bus keeps up, minutes during a backlog (an authority's week on two
# cores: p99 near 30 s, so the buckets stay fine up to 90 s).
LATENCY_BUCKETS: Final = (
    *(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    *(15, 20, 30, 45, 60, 90, 120, 300),
)
COMMIT_BUCKETS: Final = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
REQUEST_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)
_SUFFIXES: Final = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
}


class Metrics:
    """The process's metrics, registered in `registry` (a fresh one unless given)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        """Define every metric; `registry` None: a registry of this object's own."""
        self.registry = registry = registry or CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        self.consumed = Counter(
            "joinedup_records_consumed",
            "Records a worker consumed, counted once their transaction committed.",
            ["app", "topic"],
            registry=registry,
        )
        self.produced = Counter(
            "joinedup_records_produced",
            "Records written and committed (a worker's outputs, the gateway's events).",
            ["app", "topic"],
            registry=registry,
        )
        self.decisions = Counter(
            "joinedup_decisions",
            "Disclosure decisions committed, by recipient, outcome and reason code.",
            ["recipient", "outcome", "reason"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "joinedup_dead_letters",
            "Records sent to dead letter, by source topic and reason.",
            ["app", "source", "reason"],
            registry=registry,
        )
        self.lag = Gauge(
            "joinedup_consumer_lag",
            "Records not yet consumed on the partitions this worker owns, by topic.",
            ["app", "topic"],
            registry=registry,
        )
        self.transactions = Counter(
            "joinedup_transactions",
            "Kafka transactions ended, by outcome (committed or aborted).",
            ["app", "outcome"],
            registry=registry,
        )
        self.commit_seconds = Histogram(
            "joinedup_transaction_commit_seconds",
            "Seconds to send a batch's offsets and commit its transaction.",
            ["app"],
            buckets=COMMIT_BUCKETS,
            registry=registry,
        )
        self.publish_to_view = Histogram(
            "joinedup_publish_to_view_seconds",
            "Seconds from an event's publish to its view committed for the recipient.",
            ["recipient"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.publish_to_alert = Histogram(
            "joinedup_publish_to_alert_seconds",
            "Seconds from the publish of the event that raised an alert to the alert committed.",
            [],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self._define_service_metrics(registry)

    def _define_service_metrics(self, registry: CollectorRegistry) -> None:
        self.alerts_open = Gauge(
            "joinedup_alerts_open",
            "Alerts raised and not yet acknowledged, by the duty team's agency.",
            ["agency"],
            registry=registry,
        )
        self.alerts_overdue = Gauge(
            "joinedup_alerts_overdue",
            "Open alerts past their acknowledgement deadline, by agency.",
            ["agency"],
            registry=registry,
        )
        self.http_requests = Counter(
            "joinedup_http_requests",
            "HTTP requests answered, by service, method, route template and status.",
            ["service", "method", "route", "status"],
            registry=registry,
        )
        self.http_seconds = Histogram(
            "joinedup_http_request_seconds",
            "Seconds to answer an HTTP request, by service and route template.",
            ["service", "route"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self.dependency_up = Gauge(
            "joinedup_dependency_up",
            "1 while a dependency (broker, registry, database) answered the last readiness check.",
            ["dependency"],
            registry=registry,
        )
        self.chain_breaks = Counter(
            "joinedup_audit_chain_breaks",
            "Audit records whose hash chain did not verify when indexed.",
            [],
            registry=registry,
        )

    def families(self) -> list[MetricWrapperBase]:
        """The project's own metrics (not the process and platform collectors')."""
        return [value for value in vars(self).values() if isinstance(value, MetricWrapperBase)]


def exported_names(metrics: Metrics) -> frozenset[str]:
    """Every series name a scrape of `metrics` can show (with _total, _bucket and such)."""
    names = {
        sample.name for family in metrics.registry.collect() for sample in family.samples
    }  # the process and platform collectors' (their samples always exist)
    for family in metrics.families():
        kind = str(family._type)  # noqa: SLF001 - prometheus_client keeps the type only here
        names.update(f"{family._name}{suffix}" for suffix in _SUFFIXES[kind])  # noqa: SLF001
    return frozenset(names)


@functools.cache
def metrics() -> Metrics:
    """The process's metrics (made on first use)."""
    return Metrics()
