"""What a transactional loop's metrics count: only committed transactions, once."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from services.bus.deadletter import REASON_HEADER
from services.bus.loop_metrics import LoopMetrics, StagedCounter
from services.bus.records import Outgoing
from services.observability.metrics import Metrics, exported_names

NOW_MS = 1_800_000_000_000


def fresh() -> Metrics:
    """Metrics in a registry of the test's own."""
    return Metrics(CollectorRegistry())


def value(m: Metrics, name: str, **labels: str) -> float:
    """A sample's value (0 when the series does not exist yet)."""
    return m.registry.get_sample_value(name, labels) or 0.0


def test_a_committed_batch_counts_records_in_and_out_and_dead_letters():
    """Consumed and produced by topic, dead letters by source and reason."""
    m = fresh()
    loop = LoopMetrics("joinedup-router", registry=m)
    batch = loop.batch()
    batch.consumed["ingest.school-a"] += 3
    batch.output(Outgoing("audit.disclosures", b"k", b"v"), NOW_MS - 10)
    letter = Outgoing("deadletter.school-a", b"k", b"v", headers=((REASON_HEADER, b"undecodable"),))
    batch.output(letter, NOW_MS - 10)

    loop.committed(batch, 0.004, NOW_MS)

    assert (
        value(m, "joinedup_records_consumed_total", app="joinedup-router", topic="ingest.school-a")
        == 3
    )
    assert (
        value(
            m, "joinedup_records_produced_total", app="joinedup-router", topic="audit.disclosures"
        )
        == 1
    )
    assert (
        value(
            m,
            "joinedup_dead_letters_total",
            app="joinedup-router",
            source="school-a",
            reason="undecodable",
        )
        == 1
    )
    assert value(m, "joinedup_transactions_total", app="joinedup-router", outcome="committed") == 1
    assert value(m, "joinedup_transaction_commit_seconds_count", app="joinedup-router") == 1


def test_views_and_alerts_observe_the_time_since_publish_at_the_commit():
    """A view's latency goes to its recipient's histogram, an alert's to the alerts' one."""
    m = fresh()
    loop = LoopMetrics("app", alert_topics=["alerts.raised"], registry=m)
    batch = loop.batch()
    batch.output(Outgoing("view.social-care", b"k", b"v"), NOW_MS - 1_500)
    batch.output(Outgoing("alerts.raised", b"k", b"v"), NOW_MS - 200)
    batch.output(Outgoing("view.social-care", b"k", b"v"), 0)  # no publish time: not observed

    loop.committed(batch, 0.01, NOW_MS)

    assert value(m, "joinedup_publish_to_view_seconds_count", recipient="social-care") == 1
    assert value(m, "joinedup_publish_to_view_seconds_sum", recipient="social-care") == 1.5
    assert (
        value(m, "joinedup_publish_to_view_seconds_bucket", recipient="social-care", le="1.0") == 0
    )
    assert (
        value(m, "joinedup_publish_to_view_seconds_bucket", recipient="social-care", le="2.5") == 1
    )
    assert value(m, "joinedup_publish_to_alert_seconds_sum") == 0.2


def test_an_aborted_batch_counts_nothing_but_the_abort():
    """Its records are processed again after the rewind: counting them now would count twice."""
    m = fresh()
    decisions = StagedCounter(m.decisions)
    loop = LoopMetrics("app", staged=[decisions], registry=m)
    batch = loop.batch()
    batch.consumed["ingest.school-a"] += 5
    decisions.add("police", "deny", "no-agreement")

    loop.aborted()
    decisions.add("police", "permit", "agreement")
    loop.committed(loop.batch(), 0.01, NOW_MS)

    assert value(m, "joinedup_records_consumed_total", app="app", topic="ingest.school-a") == 0
    assert value(m, "joinedup_transactions_total", app="app", outcome="aborted") == 1
    assert (
        value(
            m, "joinedup_decisions_total", recipient="police", outcome="deny", reason="no-agreement"
        )
        == 0
    )
    assert (
        value(
            m, "joinedup_decisions_total", recipient="police", outcome="permit", reason="agreement"
        )
        == 1
    )


def test_lag_of_a_topic_no_longer_owned_falls_to_zero():
    """A revoked topic's last figure would otherwise stay on the dashboard for ever."""
    m = fresh()
    loop = LoopMetrics("app", registry=m)

    loop.lag({"ingest.school-a": 40, "ingest.police": 2})
    loop.lag({"ingest.police": 7})

    assert value(m, "joinedup_consumer_lag", app="app", topic="ingest.school-a") == 0
    assert value(m, "joinedup_consumer_lag", app="app", topic="ingest.police") == 7


def test_exported_names_cover_each_kind_of_series():
    """Counters end in _total, histograms have buckets; process figures are there too."""
    names = exported_names(fresh())

    assert {"joinedup_decisions_total", "joinedup_publish_to_view_seconds_bucket"} <= names
    assert {"joinedup_consumer_lag", "process_cpu_seconds_total"} <= names
    assert "joinedup_decisions" not in names
