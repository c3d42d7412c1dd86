"""One simulation against a running stack: publish day by day, wave by wave, then check.

Before publishing, every event of a day goes through the expectation (the
thresholds domain), in the order it will be published. Waves (waves.py) go
out one after another, the simulator waiting at each barrier until the
thresholds worker has committed everything sent. At `--speed max` that is
all the waiting there is; at a paced speed an event also waits for its
simulated time. At the end the run waits until every expected alert is back
and nothing new arrives, then compares (compare.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from rich.console import Console

from services.bus import topics
from services.governance.principals import ROUTER, THRESHOLDS
from services.simulate.broker_reading import Offsets
from services.simulate.compare import compare_alerts, compare_deliveries
from services.simulate.events import SimEvent
from services.simulate.exceptions import SimulationError
from services.simulate.expectation import Expectation
from services.simulate.live import LiveView, Stats
from services.simulate.observe import Observer
from services.simulate.publishing import Sink
from services.simulate.report import Outcome
from services.simulate.timeline import Timeline
from services.simulate.waves import in_time_order, layered

QUIET_S: Final = 3.0  # nothing new for this long, every expected alert in: settled
POLL_S: Final = 0.1
MARK_SAMPLE: Final = 50  # every n-th register mark is timed to its view


@dataclass(frozen=True)
class RunOptions:
    """How fast to publish, and how long to wait for the bus."""

    speed: float | None = None
    settle_s: float = 120.0
    barrier_timeout_s: float = 900.0


class Pace:
    """Maps simulated time to the wall clock at `speed` simulated seconds per second."""

    def __init__(self, speed: float, origin: dt.datetime) -> None:
        """Simulated time `origin` is now."""
        self._speed, self._origin, self._wall = speed, origin, time.monotonic()

    def now(self) -> dt.datetime:
        """The simulated time it is."""
        return self._origin + dt.timedelta(seconds=(time.monotonic() - self._wall) * self._speed)

    async def until(self, moment: dt.datetime) -> None:
        """Wait until simulated time reaches `moment`."""
        ahead = (moment - self.now()).total_seconds()
        if ahead > 0:
            await asyncio.sleep(ahead / self._speed)


class Simulation:
    """Plays a timeline into a sink and reads the bus back with an observer."""

    def __init__(  # noqa: PLR0913 - the run's parts, each built by the caller
        self,
        timeline: Timeline,
        *,
        expectation: Expectation,
        sink: Sink,
        observer: Observer,
        offsets: Offsets,
        options: RunOptions,
        check_running: Callable[[], None],
        stats: Stats | None = None,
    ) -> None:
        """Play `timeline` into `sink`; `check_running` raises when a service has stopped."""
        self.timeline, self.expectation, self.sink = timeline, expectation, sink
        self.observer, self.offsets, self.options = observer, offsets, options
        self.check_running = check_running
        self.stats = stats or Stats()
        self.ingest: set[str] = set()
        self._timed: set[str] = set()
        self._audit = offsets.partitions([topics.AUDIT_DISCLOSURES])
        self._audit_start = sum(offsets.ends(self._audit).values())

    async def play(self, console: Console, title: str) -> Outcome:
        """Publish every day, settle, compare; the outcome."""
        plan = self.timeline.world.plan
        with LiveView(console, self.stats, len(plan.days)) as live:
            started = time.monotonic()
            pace = None
            if self.options.speed is not None:
                origin = self.timeline.happenings.at(plan.start, dt.time(0))
                pace = Pace(self.options.speed, origin)
            for day, events in self.timeline.days():
                self.stats.day = day
                self._expect(events)
                await self._publish_day(events, pace)
                self.stats.publishing_s = time.monotonic() - started
                await self._read_back()
                live.day_done()
            await self._settle()
            self.stats.settled_s = time.monotonic() - started
        return self._outcome(title)

    def _expect(self, events: Iterable[SimEvent]) -> None:
        for event in events:
            if self.expectation.apply(event):
                self._timed.add(event.event_id)
        self.stats.expected_alerts = len(self.expectation.alerts)

    async def _publish_day(self, events: list[SimEvent], pace: Pace | None) -> None:
        if pace is None:
            for wave in layered(events):
                await self._send(wave)
                await self._barrier()
            return
        for wave in in_time_order(events):
            done = 0
            while done < len(wave):
                await pace.until(wave[done].at)
                now, end = pace.now(), done
                while end < len(wave) and wave[end].at <= now:
                    end += 1
                await self._send(wave[done:end])
                done = end
            await self._barrier()

    async def _send(self, wave: Sequence[SimEvent]) -> None:
        began = time.monotonic()
        await self.sink.prepare(wave)
        self.stats.resolving_s += time.monotonic() - began
        sent_ms = int(time.time() * 1000)
        sent_at = self.observer.latencies.sent_at_ms
        for number, event in enumerate(wave, start=self.stats.published):
            self.ingest.add(topics.ingest(event.agency))
            timed = event.event_type != "AttendanceMarked" or event.event_id in self._timed
            if timed or number % MARK_SAMPLE == 0:
                sent_at[event.event_id] = sent_ms
        began = time.monotonic()
        await self.sink.send(wave)
        self.stats.sending_s += time.monotonic() - began
        self.stats.published += len(wave)
        self.stats.waves += 1

    async def _lags(self) -> int:
        ingest = sorted(self.ingest)
        waiting = await asyncio.to_thread(self.offsets.lag, str(THRESHOLDS.app_id), ingest)
        routing = await asyncio.to_thread(self.offsets.lag, str(ROUTER.app_id), ingest)
        self.stats.lags(waiting, routing)
        ends = await asyncio.to_thread(self.offsets.ends, self._audit)
        self.stats.decisions = sum(ends.values()) - self._audit_start
        return waiting

    async def _barrier(self) -> None:
        """Wait until the thresholds worker has committed every event sent so far."""
        began = time.monotonic()
        deadline = began + self.options.barrier_timeout_s
        while await self._lags() > 0:
            self.check_running()
            if time.monotonic() > deadline:
                raise SimulationError(
                    f"the thresholds worker did not catch up within "
                    f"{self.options.barrier_timeout_s:g}s (lag {self.stats.lag_thresholds})"
                )
            await asyncio.sleep(POLL_S)
        self.stats.waiting_s += time.monotonic() - began

    async def _read_back(self) -> int:
        new = await asyncio.to_thread(self.observer.poll)
        self.stats.alerts_seen = len(self.observer.alerts)
        self.stats.views_seen = sum(sum(c.values()) for c in self.observer.views.values())
        return new

    async def _settle(self) -> None:
        """Wait until every expected alert (and escalation) is back and nothing more comes."""
        await self._barrier()
        wanted = Counter(a.key for a in self.expectation.with_escalations(dt.datetime.now(dt.UTC)))
        deadline = time.monotonic() + self.options.settle_s
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            if await self._read_back():
                quiet_since = time.monotonic()
            await self._lags()
            seen = Counter(a.key for a in self.observer.alerts)
            complete = all(seen[key] >= n for key, n in wanted.items())
            quiet = time.monotonic() - quiet_since >= QUIET_S
            routed = await asyncio.to_thread(
                self.observer.alerts_read, self.offsets, str(ROUTER.app_id)
            )
            if complete and quiet and routed and self.stats.lag_router == 0:
                await self._read_back()
                return
            self.check_running()
            await asyncio.sleep(0.5)

    def _outcome(self, title: str) -> Outcome:
        expected = self.expectation.with_escalations(dt.datetime.now(dt.UTC))
        observed = self.observer.alerts
        latencies = self.observer.latencies
        triggers = {alert.key: alert.trigger for alert in self.expectation.alerts}
        for alert in observed:
            sent = latencies.sent_at_ms.get(triggers.get(alert.key, ""))
            if sent is not None:
                latencies.to_alert.append(alert.timestamp_ms - sent)
        possible, absent = self.timeline.possible, self.timeline.absent
        rates = [a / p for a, p in zip(absent, possible, strict=True) if p]
        absence = {
            "overall_percent": round(100 * sum(absent) / max(1, sum(possible)), 2),
            "persistent_percent": round(100 * sum(r >= 0.1 for r in rates) / max(1, len(rates)), 2),
            "severe_percent": round(100 * sum(r >= 0.5 for r in rates) / max(1, len(rates)), 2),
        }
        return Outcome(
            title,
            self.stats,
            compare_alerts(expected, observed),
            compare_deliveries(observed, self.observer.alert_views),
            dict(self.observer.views),
            latencies,
            absence,
            self.expectation.unprocessable,
        )
