"""The live view of a running simulation: a progress bar over the simulated days, and counts.

Counts: events published and their rate, alerts the expectation has raised so
far against the run's alerts read back, views received, disclosure decisions
(audit records written since the start, from the broker's offsets: an
approximation, as transaction markers take offsets too) and the consumer lag
of the thresholds worker and the router, read from the broker.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Self

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


@dataclass
class Stats:
    """What the live view shows; the run updates it."""

    published: int = 0
    resolved: int = 0  # children's identifiers resolved with the gateway (SDK path)
    waves: int = 0
    expected_alerts: int = 0
    alerts_seen: int = 0
    views_seen: int = 0
    decisions: int = 0
    lag_thresholds: int = 0
    lag_router: int = 0
    peak_lag_thresholds: int = 0
    peak_lag_router: int = 0
    day: dt.date | None = None
    started: float = field(default_factory=time.monotonic)
    publishing_s: float = 0.0  # from the first event sent to the last wave taken in
    sending_s: float = 0.0  # of which handing events to the bus (once their children resolved)
    resolving_s: float = 0.0  # of which resolving identifiers with the gateway (SDK path)
    waiting_s: float = 0.0  # of which waiting at barriers for the thresholds worker
    settled_s: float = 0.0  # from the first event sent until every view and alert is in

    def lags(self, thresholds: int, router: int) -> None:
        """Record the lags just read, and keep their peaks."""
        self.lag_thresholds, self.lag_router = thresholds, router
        self.peak_lag_thresholds = max(self.peak_lag_thresholds, thresholds)
        self.peak_lag_router = max(self.peak_lag_router, router)

    @property
    def rate(self) -> float:
        """Events published per second of publishing (waiting at barriers included)."""
        return self.published / self.publishing_s if self.publishing_s else 0.0

    @property
    def sustained(self) -> float:
        """Events per second of publishing, identity resolution left out."""
        busy = self.publishing_s - self.resolving_s
        return self.published / busy if busy > 0 else 0.0


class _Counts:
    def __init__(self, stats: Stats) -> None:
        self._stats = stats

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        s = self._stats
        table = Table.grid(padding=(0, 2))
        for _ in range(4):
            table.add_column()
        table.add_row(
            "simulated day",
            str(s.day or "-"),
            "events published",
            f"{s.published:,} ({s.rate:,.0f}/s)",
        )
        table.add_row(
            "alerts expected", f"{s.expected_alerts:,}", "alerts read back", f"{s.alerts_seen:,}"
        )
        table.add_row("identifiers resolved", f"{s.resolved:,}", "waves", f"{s.waves:,}")
        table.add_row(
            "views received", f"{s.views_seen:,}", "decisions (audit, ≈)", f"{s.decisions:,}"
        )
        table.add_row(
            "lag: thresholds",
            f"{s.lag_thresholds:,} (peak {s.peak_lag_thresholds:,})",
            "lag: router",
            f"{s.lag_router:,} (peak {s.peak_lag_router:,})",
        )
        yield table


class LiveView:
    """The progress bar and counts, drawn while the simulation runs (`with` it)."""

    def __init__(self, console: Console, stats: Stats, days: int) -> None:
        """Draw on `console` for a simulation of `days` days."""
        self.progress = Progress(
            TextColumn("[bold]simulating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("days"),
            TimeElapsedColumn(),
            console=console,
        )
        self.task = self.progress.add_task("days", total=days)
        self._live = Live(
            Group(self.progress, _Counts(stats)), console=console, refresh_per_second=4
        )

    def __enter__(self) -> Self:
        """Start drawing."""
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        """Draw the last frame and stop."""
        self._live.__exit__(None, None, None)
        self._live.console.line()

    def day_done(self) -> None:
        """One more simulated day published."""
        self.progress.advance(self.task)
