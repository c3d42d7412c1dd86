"""What a transactional loop tells the metrics: counted per batch, published once it commits.

A batch that aborts is retried from the last commit; counting its records
before the commit would count them twice. So a `Batch` gathers the counts of
one transaction, and `LoopMetrics.committed` adds them (and observes the
publish-to-view and publish-to-alert latencies at the commit, when the
outputs become readable) or `aborted` drops them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Final, Protocol

from prometheus_client.metrics import Counter as Counter_
from prometheus_client.metrics import Histogram

from services.bus import topics
from services.bus.deadletter import REASON_HEADER
from services.bus.records import Outgoing
from services.observability.metrics import Metrics, metrics

LAG_EVERY_S: Final = 5.0  # how often a loop brings its lag gauge up to date


class Staged(Protocol):
    """Counts a processor keeps per transaction (e.g. the router's decisions)."""

    def publish(self) -> None:
        """The transaction committed: add the counts to the metrics."""
        ...

    def drop(self) -> None:
        """The transaction aborted: forget the counts."""
        ...


class Batch:
    """The counts of one transaction."""

    __slots__ = ("_metrics", "consumed", "letters", "produced", "timed")

    def __init__(self, loop_metrics: LoopMetrics) -> None:
        """Count for `loop_metrics`."""
        self._metrics = loop_metrics
        self.consumed: Counter[str] = Counter()
        self.produced: Counter[str] = Counter()
        self.letters: Counter[tuple[str, str]] = Counter()
        self.timed: list[tuple[Histogram, int]] = []

    def output(self, out: Outgoing, published_ms: int) -> None:
        """One record written; `published_ms`: its source's publish time (0: none)."""
        self.produced[out.topic] += 1
        histogram = self._metrics.latency_of(out.topic)
        if histogram is not None and published_ms > 0:
            self.timed.append((histogram, published_ms))
        elif out.topic.startswith(topics.DEADLETTER_PREFIX):
            reason = next((v for k, v in out.headers if k == REASON_HEADER), b"unknown")
            source = out.topic.removeprefix(topics.DEADLETTER_PREFIX)
            self.letters[source, reason.decode(errors="replace")] += 1


class LoopMetrics:
    """The metrics of one loop, labelled with its app (consumer group) id."""

    def __init__(
        self,
        app: str,
        alert_topics: Iterable[str] = (topics.ALERTS_RAISED,),
        staged: Iterable[Staged] = (),
        registry: Metrics | None = None,
    ) -> None:
        """Count for `app`; outputs to `alert_topics` or a view topic have latencies observed."""
        self.app = app
        self._metrics = registry or metrics()
        self._alert_topics = frozenset(alert_topics)
        self._staged = tuple(staged)
        self._latency: dict[str, Histogram | None] = {}
        self._lagging: set[str] = set()

    def batch(self) -> Batch:
        """Counts for a new transaction."""
        return Batch(self)

    def latency_of(self, topic: str) -> Histogram | None:
        """The latency histogram an output to `topic` is observed in, if any."""
        try:
            return self._latency[topic]
        except KeyError:
            histogram: Histogram | None = None
            if topic.startswith(topics.VIEW_PREFIX):
                recipient = topic.removeprefix(topics.VIEW_PREFIX)
                histogram = self._metrics.publish_to_view.labels(recipient)
            elif topic in self._alert_topics:
                histogram = self._metrics.publish_to_alert
            self._latency[topic] = histogram
            return histogram

    def committed(self, batch: Batch, commit_s: float, now_ms: int) -> None:
        """`batch`'s transaction committed in `commit_s` seconds at `now_ms`."""
        m, app = self._metrics, self.app
        m.transactions.labels(app, "committed").inc()
        m.commit_seconds.labels(app).observe(commit_s)
        for topic, n in batch.consumed.items():
            m.consumed.labels(app, topic).inc(n)
        for topic, n in batch.produced.items():
            m.produced.labels(app, topic).inc(n)
        for (source, reason), n in batch.letters.items():
            m.dead_letters.labels(app, source, reason).inc(n)
        for histogram, published_ms in batch.timed:
            histogram.observe(max(0, now_ms - published_ms) / 1000)
        for staged in self._staged:
            staged.publish()

    def aborted(self) -> None:
        """The transaction in hand aborted: its counts are dropped."""
        self._metrics.transactions.labels(self.app, "aborted").inc()
        for staged in self._staged:
            staged.drop()

    def lag(self, by_topic: Mapping[str, int]) -> None:
        """The records behind on the owned partitions, summed by topic (others: 0)."""
        gauge = self._metrics.lag
        for topic in self._lagging - by_topic.keys():
            gauge.labels(self.app, topic).set(0)
        for topic, behind in by_topic.items():
            gauge.labels(self.app, topic).set(behind)
        self._lagging = set(by_topic)


class StagedCounter:
    """Increments of one counter held until the transaction they belong to ends."""

    def __init__(self, counter: Counter_) -> None:
        """Stage increments of `counter`."""
        self._counter = counter
        self._pending: Counter[tuple[str, ...]] = Counter()

    def add(self, *labels: str) -> None:
        """One more for `labels`, once the transaction commits."""
        self._pending[labels] += 1

    def publish(self) -> None:
        """The transaction committed: add the increments."""
        for labels, n in self._pending.items():
            self._counter.labels(*labels).inc(n)
        self._pending.clear()

    def drop(self) -> None:
        """The transaction aborted: forget them."""
        self._pending.clear()
