"""The simulation's summary: what each agency received, alerts by rule against the expectation.

No identifier is printed: a pupil is named by their number in the simulation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from rich.console import Console
from rich.table import Table

from services.simulate.compare import Delivery, ObservedAlert, RuleTally
from services.simulate.expectation import ExpectedAlert
from services.simulate.live import Stats
from services.simulate.observe import Latencies

DIFF_LINES: Final = 25


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p90, p99 and max (nearest rank), in the unit given; empty when no values."""
    if not values:
        return {}
    ordered = sorted(values)

    def rank(pct: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))], 1)

    return {"p50": rank(50), "p90": rank(90), "p99": rank(99), "max": round(ordered[-1], 1)}


@dataclass
class Outcome:
    """Everything a simulation found."""

    title: str
    stats: Stats
    rules: dict[str, RuleTally]
    deliveries: dict[str, Delivery]
    views: dict[str, Counter[str]]
    latencies: Latencies
    absence: dict[str, float]
    unprocessable: int = 0

    @property
    def matches(self) -> bool:
        """Each expected alert raised once, to its recipients; no others, none misdelivered."""
        rules_ok = all(tally.matches for tally in self.rules.values())
        return rules_ok and not any(d.unexpected for d in self.deliveries.values())

    def figures(self) -> dict[str, Any]:
        """The run's figures as plain values (bench/bench_simulate.py writes them)."""
        s = self.stats
        return {
            "events": s.published,
            "events_per_s": round(s.rate, 1),
            "events_per_s_without_resolving": round(s.sustained, 1),
            "publishing_s": round(s.publishing_s, 1),
            "sending_s": round(s.sending_s, 1),
            "resolving_identifiers_s": round(s.resolving_s, 1),
            "identifiers_resolved": s.resolved,
            "waiting_at_barriers_s": round(s.waiting_s, 1),
            "settled_s": round(s.settled_s, 1),
            "events_per_s_until_settled": round(s.published / s.settled_s, 1) if s.settled_s else 0,
            "waves": s.waves,
            "peak_lag": {"thresholds": s.peak_lag_thresholds, "router": s.peak_lag_router},
            "alerts": {rule: t.raised for rule, t in self.rules.items()},
            "publish_to_view_ms": percentiles(self.latencies.to_view),
            "publish_to_alert_ms": percentiles(self.latencies.to_alert),
            "absence": self.absence,
            "matches_expectation": self.matches,
        }


def _received(views: dict[str, Counter[str]]) -> Table:
    table = Table(title="What each agency's view received (this run)")
    table.add_column("agency")
    table.add_column("records", justify="right")
    table.add_column("by event type")
    for agency in sorted(views):
        counts = views[agency]
        kinds = ", ".join(f"{kind} {n:,}" for kind, n in counts.most_common())
        table.add_row(agency, f"{sum(counts.values()):,}", kinds)
    return table


def _alerts(rules: dict[str, RuleTally]) -> Table:
    table = Table(title="Alerts by rule: the simulator's expectation against alerts.raised")
    for column in ("rule", "expected", "raised", "missing", "unexpected", "twice", "misaddressed"):
        table.add_column(column, justify="left" if column == "rule" else "right")
    for rule, t in rules.items():
        mark = "" if t.matches else " [red]✗[/red]"
        table.add_row(
            rule + mark,
            str(t.expected),
            str(t.raised),
            str(len(t.missing)),
            str(len(t.unexpected)),
            str(len(t.duplicates)),
            str(len(t.misaddressed)),
        )
    return table


def _deliveries(deliveries: dict[str, Delivery]) -> Table:
    table = Table(title="The run's alerts in the duty teams' views")
    for column in ("agency", "addressed", "in view", "unexpected"):
        table.add_column(column, justify="left" if column == "agency" else "right")
    table.add_column("withheld under the agreements, by rule")
    for agency, d in deliveries.items():
        withheld = ", ".join(f"{rule} {n}" for rule, n in sorted(d.withheld_rules.items()))
        table.add_row(agency, str(d.addressed), str(d.delivered), str(d.unexpected), withheld)
    return table


def _missing(alert: ExpectedAlert) -> str:
    return f"missing: {alert.rule_id} for pupil {alert.pupil} (to {', '.join(alert.recipients)})"


def _extra(label: str, alert: ObservedAlert) -> str:
    return f"{label}: {alert.key[1]} for pupil {alert.key[0]} (alert {alert.alert_id})"


def diff_lines(rules: dict[str, RuleTally]) -> list[str]:
    """One line per alert that did not match the expectation."""
    lines: list[str] = []
    for tally in rules.values():
        lines += [_missing(a) for a in tally.missing]
        lines += [_extra("unexpected", a) for a in tally.unexpected]
        lines += [_extra("raised twice", a) for a in tally.duplicates]
        lines += [
            f"misaddressed: {e.rule_id} for pupil {e.pupil}: expected {e.recipients}, "
            f"got {o.recipients}"
            for e, o in tally.misaddressed
        ]
    return lines


def print_report(console: Console, outcome: Outcome) -> None:
    """Print the summary tables, the figures and, when the bus disagreed, the diff."""
    console.print(_received(outcome.views))
    console.print(_alerts(outcome.rules))
    console.print(_deliveries(outcome.deliveries))
    s, a = outcome.stats, outcome.absence
    console.print(
        f"{outcome.title}: {s.published:,} events in {s.publishing_s:.1f}s "
        f"({s.rate:,.0f}/s, {s.sustained:,.0f}/s once identifiers were resolved; {s.waves} "
        f"waves; sending {s.sending_s:.1f}s, resolving identifiers {s.resolving_s:.1f}s, "
        "waiting at barriers "
        f"{s.waiting_s:.1f}s), all in after {s.settled_s:.1f}s; "
        f"peak lag: thresholds {s.peak_lag_thresholds:,}, "
        f"router {s.peak_lag_router:,}. Absence {a.get('overall_percent', 0):.1f}% of sessions; "
        f"{a.get('persistent_percent', 0):.1f}% of pupils missed 10% or more.",
        highlight=False,
    )
    for name, values in (
        ("publish -> view", outcome.latencies.to_view),
        ("publish -> alert", outcome.latencies.to_alert),
    ):
        if values:
            console.print(f"latency {name} (ms): {percentiles(values)}", highlight=False)
    if outcome.unprocessable:
        console.print(
            f"{outcome.unprocessable} event(s) the rules could not process (dead letters)"
        )
    if outcome.matches:
        console.print("[green]The bus matched the simulator's expectation exactly.[/green]")
        return
    console.print("[red]The bus did not match the simulator's expectation:[/red]")
    lines = diff_lines(outcome.rules)
    for line in lines[:DIFF_LINES]:
        console.print(f"  {line}", highlight=False)
    if len(lines) > DIFF_LINES:
        console.print(f"  ... and {len(lines) - DIFF_LINES} more")
    for agency, d in outcome.deliveries.items():
        if d.unexpected:
            console.print(f"  {agency}: {d.unexpected} alert view(s) it should not have had")
