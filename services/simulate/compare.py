"""What came back from the bus, held against the expectation: alerts by rule, alerts delivered.

An alert on alerts.raised is this run's when its evidence names the run's
events (event ids carry the run, events.py); an escalation is this run's when
it points (correlation_id) at one of the run's alerts. The check is exact:
each expected alert raised once, with the expected recipients, and nothing
else. Views are checked for what must never happen: an alert in the view of
an agency it was not addressed to, or twice in one view. An addressed agency
whose view lacks the alert was refused it by the router under the sharing
agreements (its audit says why): counted, not a failure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from services.simulate.expectation import ESCALATED, ExpectedAlert

Key = tuple[int, str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ObservedAlert:
    """An AlertRaised record of this run, as read from alerts.raised."""

    alert_id: str
    key: Key
    recipients: tuple[str, ...]
    timestamp_ms: int
    correlation_id: str | None = None


@dataclass
class RuleTally:
    """One rule's alerts: expected, raised, and what did not match."""

    expected: int = 0
    raised: int = 0
    missing: list[ExpectedAlert] = field(default_factory=list)
    unexpected: list[ObservedAlert] = field(default_factory=list)
    duplicates: list[ObservedAlert] = field(default_factory=list)
    misaddressed: list[tuple[ExpectedAlert, ObservedAlert]] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        """Every expected alert raised once, to the expected recipients, nothing else."""
        return not (self.missing or self.unexpected or self.duplicates or self.misaddressed)


@dataclass
class Delivery:
    """One agency's views of the run's alerts."""

    addressed: int = 0
    delivered: int = 0
    unexpected: int = 0
    withheld_rules: Counter[str] = field(default_factory=Counter)

    @property
    def withheld(self) -> int:
        """Alerts addressed to the agency that the router did not disclose to it."""
        return self.addressed - (self.delivered - self.unexpected)


def compare_alerts(
    expected: Iterable[ExpectedAlert], observed: Iterable[ObservedAlert]
) -> dict[str, RuleTally]:
    """Each rule's tally of expected against observed alerts."""
    wanted: dict[Key, list[ExpectedAlert]] = defaultdict(list)
    for expected_alert in expected:
        wanted[expected_alert.key].append(expected_alert)
    seen: dict[Key, list[ObservedAlert]] = defaultdict(list)
    for observed_alert in observed:
        seen[observed_alert.key].append(observed_alert)
    tallies: dict[str, RuleTally] = defaultdict(RuleTally)
    for key in sorted(set(wanted) | set(seen), key=lambda k: (k[1], k[0], k[2])):
        tally = tallies[key[1]]
        want, got = wanted.get(key, []), seen.get(key, [])
        tally.expected += len(want)
        tally.raised += len(got)
        for expected_alert, observed_alert in zip(want, got, strict=False):
            if expected_alert.recipients != observed_alert.recipients:
                tally.misaddressed.append((expected_alert, observed_alert))
        tally.missing += want[len(got) :]
        extra = got[len(want) :]
        (tally.duplicates if want else tally.unexpected).extend(extra)
    return dict(sorted(tallies.items()))


def escalation_key(alert_key: Key) -> Key:
    """The key of the escalation of the alert with `alert_key`."""
    return (alert_key[0], alert_key[1] + ESCALATED, alert_key[2])


def compare_deliveries(
    alerts: Iterable[ObservedAlert], views: Counter[tuple[str, str]]
) -> dict[str, Delivery]:
    """Per agency: alerts addressed to it, in its view, and any it should not have had.

    `views` counts (agency, alert id) pairs found in the agencies' views.
    """
    deliveries: dict[str, Delivery] = defaultdict(Delivery)
    addressed: set[tuple[str, str]] = set()
    for alert in alerts:
        for agency in alert.recipients:
            deliveries[agency].addressed += 1
            addressed.add((agency, alert.alert_id))
    for alert in alerts:
        for agency in alert.recipients:
            if (agency, alert.alert_id) not in views:
                deliveries[agency].withheld_rules[alert.key[1]] += 1
    for (agency, alert_id), count in views.items():
        delivery = deliveries[agency]
        delivery.delivered += count
        if (agency, alert_id) not in addressed:
            delivery.unexpected += count
        elif count > 1:
            delivery.unexpected += count - 1
    return dict(sorted(deliveries.items()))
