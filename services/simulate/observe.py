"""Reading the run back: this run's alerts on alerts.raised, and what each agency's view got.

Alerts are read before views on every poll; an alert's view read before the
alert itself (both written between the two reads) waits until the alert is
read, then counts. The publish-to-view latency is the broker's timestamp of
the view record less the wall-clock time the simulator sent the event (kept
for a sample of events); publish-to-alert is worked out at the end, from the
event that raised each expected alert (run.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from schemas.codec import AvroCodec
from services.bus import topics
from services.bus.settings import BusSettings
from services.simulate.broker_reading import Offsets, TopicTail
from services.simulate.compare import ObservedAlert, escalation_key
from services.simulate.events import EventIds
from services.simulate.expectation import ESCALATED


@dataclass
class Latencies:
    """Milliseconds from sending an event to its view, and to the alert it triggered."""

    sent_at_ms: dict[str, int] = field(default_factory=dict)
    to_view: list[float] = field(default_factory=list)
    to_alert: list[float] = field(default_factory=list)


class Observer:
    """Follows alerts.raised and the agencies' views from the moment it is made."""

    def __init__(
        self,
        settings: BusSettings,
        offsets: Offsets,
        codec: AvroCodec,
        ids: EventIds,
        agencies: list[str],
    ) -> None:
        """Start at the current end of alerts.raised and of every agency's view."""
        self._codec, self._ids = codec, ids
        self._alerts_tail = TopicTail(settings, offsets, [topics.ALERTS_RAISED])
        self._views_tail = TopicTail(settings, offsets, [topics.view(a) for a in agencies])
        self.alerts: list[ObservedAlert] = []
        self._by_id: dict[str, ObservedAlert] = {}
        self.views: dict[str, Counter[str]] = defaultdict(Counter)
        self.alert_views: Counter[tuple[str, str]] = Counter()
        self._early_views: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.latencies = Latencies()

    def poll(self) -> int:
        """Read what arrived since the last poll; how many of this run's records it was."""
        before = len(self.alerts) + sum(sum(c.values()) for c in self.views.values())
        for record in self._alerts_tail.read():
            self._take_alert(self._codec.decode(record.value), record.timestamp_ms)
        for record in self._views_tail.read():
            self._take_view(self._codec.decode(record.value), record.timestamp_ms)
        return len(self.alerts) + sum(sum(c.values()) for c in self.views.values()) - before

    def alerts_read(self, offsets: Offsets, group: str) -> bool:
        """Whether consumer group `group` has committed every alert this observer has read.

        Compared with the last record read, not the partition's end: the end of a topic
        written in transactions is a transaction marker no consumer commits past.
        """
        last = self._alerts_tail.last_offsets
        committed = offsets.committed(group, sorted(last))
        return all(committed.get(p, -1) > offset for p, offset in last.items())

    def close(self) -> None:
        """Stop reading."""
        self._alerts_tail.close()
        self._views_tail.close()

    def _take_alert(self, alert: dict[str, Any], timestamp_ms: int) -> None:
        evidence = tuple(str(e) for e in alert["evidence_event_ids"])
        correlation = alert.get("correlation_id")
        if str(alert["rule_id"]).endswith(ESCALATED):
            original = self._by_id.get(str(correlation))
            if original is None:
                return
            key = escalation_key(original.key)
        else:
            found = [self._ids.pupil_of(e) for e in evidence]
            pupils = {pupil for pupil in found if pupil is not None}
            if not pupils:
                return
            one = len(pupils) == 1 and None not in found
            key = (pupils.pop() if one else -1, str(alert["rule_id"]), evidence)
        observed = ObservedAlert(
            str(alert["alert_id"]),
            key,
            tuple(sorted(alert["recipient_agencies"])),
            timestamp_ms,
            None if correlation is None else str(correlation),
        )
        self.alerts.append(observed)
        self._by_id[observed.alert_id] = observed
        for agency, view_ms in self._early_views.pop(observed.alert_id, []):
            self._count_view(agency, "AlertRaised", observed.alert_id, view_ms)

    def _take_view(self, view: dict[str, Any], timestamp_ms: int) -> None:
        event_id, agency = str(view["event_id"]), str(view["recipient"])
        if view["event_type"] == "AlertRaised" and event_id not in self._by_id:
            self._early_views[event_id].append((agency, timestamp_ms))
            return
        if view["event_type"] != "AlertRaised" and self._ids.pupil_of(event_id) is None:
            return
        self._count_view(agency, str(view["event_type"]), event_id, timestamp_ms)

    def _count_view(self, agency: str, event_type: str, event_id: str, timestamp_ms: int) -> None:
        if event_type == "AlertRaised":
            self.alert_views[agency, event_id] += 1
        self.views[agency][event_type] += 1
        sent = self.latencies.sent_at_ms.get(event_id)
        if sent is not None:
            self.latencies.to_view.append(timestamp_ms - sent)
