"""Threshold transparency for a safeguarding partnership: aggregates of the referral loop.

Folded from the partnership's own view (an agreement discloses the loop's
events to it without content: outcome, level, reason category, stage). Kept
per referral only while it is needed to join a referral to its decision: the
referral's start, the referrer's kind and, once decided, nothing but counts
and durations - the referral id is then remembered as a hash only (so a late
duplicate is not counted twice), and no child_ref is ever kept.

`figures(minimum)` publishes the counts with small-number suppression: a
count below `minimum` (default 5, AlertsSettings.partnership_minimum_cell) is
replaced by None ("fewer than minimum"), and so is every rate or percentile
computed from fewer; no totals are published beside suppressed cells.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from services.alerts.domain.referrals import (
    ASSESSMENT_OUTCOMES,
    DECIDED,
    ESCALATED,
    MADE,
    RAISED,
    RECEIVED,
    RESOLVED,
    LoopEvent,
)

AWAITING: Final = "awaiting-decision"
OFF_BUS: Final = "not-on-the-bus"  # the referrer is no agency of the bus (a family, the public)
OPEN: Final = "open"
S47: Final = "section_47_enquiry"
OUTCOMES: Final = (
    "no_further_action",
    "universal_services",
    "early_help",
    "child_in_need_assessment",
    "section_47_enquiry",
    AWAITING,
)
HOUR: Final = 3600.0


@dataclass(slots=True)
class _Open:
    """A referral not yet joined to its decision (or a decision not yet to its referral)."""

    start: dt.datetime | None = None
    kind: str | None = None
    outcome: str | None = None
    decided: dt.datetime | None = None
    fed: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """One count of a chart: its coordinates and the count, None when suppressed."""

    keys: tuple[str, ...]
    count: int | None


@dataclass(frozen=True, slots=True)
class Conversion:
    """Decided referrals of one referrer kind and how many went to assessment and to s47."""

    kind: str
    decided: int | None
    assessment_percent: float | None
    s47_percent: float | None


@dataclass(frozen=True, slots=True)
class Timing:
    """p50/p90 of one duration in hours, over `count` referrals (None: suppressed)."""

    measure: str
    count: int | None
    p50_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything the partnership page shows, suppressed."""

    minimum: int
    referrals: tuple[Cell, ...]  # (month, referrer kind, outcome)
    conversion: tuple[Conversion, ...]
    timeliness: tuple[Timing, ...]
    disagreements: tuple[Cell, ...]  # (stage reached, outcome)

    def as_json(self) -> dict[str, Any]:
        """The figures as the API gives them."""
        return {
            "minimum_cell": self.minimum,
            "referrals": [
                {"month": m, "referrer_kind": k, "outcome": o, "count": c.count}
                for c in self.referrals
                for m, k, o in [c.keys]
            ],
            "conversion": [vars_of(c) for c in self.conversion],
            "timeliness": [vars_of(t) for t in self.timeliness],
            "disagreements": [
                {"stage": s, "outcome": o, "count": c.count}
                for c in self.disagreements
                for s, o in [c.keys]
            ],
        }


def vars_of(value: Conversion | Timing) -> dict[str, Any]:
    """A figure's fields by name."""
    return {name: getattr(value, name) for name in type(value).__slots__}


@dataclass
class PartnershipLedger:
    """Folds the partnership view's events into counts; `kinds` maps agency id to kind."""

    kinds: Mapping[str, str]
    zone: dt.tzinfo = dt.UTC
    _open: dict[str, _Open] = field(default_factory=dict)
    _done: set[str] = field(default_factory=set)
    _seen: set[str] = field(default_factory=set)
    _cells: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    _decided: Counter[str] = field(default_factory=Counter)
    _assessed: Counter[str] = field(default_factory=Counter)
    _s47: Counter[str] = field(default_factory=Counter)
    _to_decision: list[float] = field(default_factory=list)
    _to_feedback: list[float] = field(default_factory=list)
    _disagreements: dict[str, list[Any]] = field(default_factory=dict)

    def record(self, event: LoopEvent) -> None:
        """Fold one disclosed event of the loop in (a repeated event id counts once)."""
        if event.event_id in self._seen:
            return
        self._seen.add(event.event_id)
        key = _hashed(event.referral_id)
        if event.event_type in {RAISED, ESCALATED, RESOLVED}:
            self._disagreement(key, event)
            return
        if key in self._done or event.event_type not in {MADE, RECEIVED, DECIDED}:
            return
        entry = self._open.setdefault(key, _Open())
        if event.event_type == DECIDED:
            self._decision(entry, event)
        else:
            self._start(entry, event)
        if entry.start is not None and entry.outcome is not None:
            self._close(entry)
            del self._open[key]
            self._done.add(key)

    def _kind(self, agency: str | None) -> str:
        if agency is None:
            return OFF_BUS
        return self.kinds.get(agency, "other")

    def _start(self, entry: _Open, event: LoopEvent) -> None:
        if entry.start is None or event.occurred_at < entry.start:
            entry.start = event.occurred_at
        if event.event_type == MADE:
            entry.kind = self._kind(event.source_agency)
        elif entry.kind is None:
            entry.kind = self._kind(event.text("referrer_agency"))

    def _decision(self, entry: _Open, event: LoopEvent) -> None:
        entry.outcome = event.text("outcome") or "undisclosed"
        decided = event.text("decided_at")
        entry.decided = _aware(decided) if decided else event.occurred_at
        referrer = event.text("referrer_agency")
        if entry.kind is None:
            entry.kind = self._kind(referrer)
        entry.fed = event.routed_at if referrer is not None else None

    def _close(self, entry: _Open) -> None:
        start = entry.start or entry.decided
        kind, outcome = entry.kind or OFF_BUS, entry.outcome or AWAITING
        if start is None:  # a referral is closed once its start is known
            return
        self._cells[(_month(start, self.zone), kind, outcome)] += 1
        if entry.decided is None:
            return
        self._decided[kind] += 1
        self._assessed[kind] += outcome in ASSESSMENT_OUTCOMES
        self._s47[kind] += outcome == S47
        self._to_decision.append(max(0.0, (entry.decided - start).total_seconds() / HOUR))
        if entry.fed is not None:
            self._to_feedback.append(max(0.0, (entry.fed - start).total_seconds() / HOUR))

    def _disagreement(self, key: str, event: LoopEvent) -> None:
        entry = self._disagreements.setdefault(key, [1, OPEN])
        stage = event.fields.get("stage")
        if isinstance(stage, int) and not isinstance(stage, bool):
            entry[0] = max(entry[0], stage)
        if event.event_type == RESOLVED:
            entry[1] = event.text("outcome") or "resolved"

    def figures(self, minimum: int) -> Figures:
        """The aggregates with every count under `minimum` suppressed."""
        cells = Counter(self._cells)
        decided, assessed, s47 = Counter(self._decided), Counter(self._assessed), Counter(self._s47)
        for entry in self._open.values():  # not yet joined: counted as they stand
            start = entry.start or entry.decided
            kind, outcome = entry.kind or OFF_BUS, entry.outcome or AWAITING
            if start is not None:
                cells[(_month(start, self.zone), kind, outcome)] += 1
            if entry.outcome is not None:
                decided[kind] += 1
                assessed[kind] += outcome in ASSESSMENT_OUTCOMES
                s47[kind] += outcome == S47
        disagreements = Counter(
            (str(stage), outcome) for stage, outcome in self._disagreements.values()
        )
        return Figures(
            minimum=minimum,
            referrals=tuple(Cell(k, _shown(n, minimum)) for k, n in sorted(cells.items())),
            conversion=tuple(
                Conversion(
                    kind,
                    _shown(count, minimum),
                    _percent(assessed[kind], count, minimum),
                    _percent(s47[kind], count, minimum),
                )
                for kind, count in sorted(decided.items())
            ),
            timeliness=(
                _timing("referral-to-decision", self._to_decision, minimum),
                _timing("referral-to-feedback", self._to_feedback, minimum),
            ),
            disagreements=tuple(
                Cell(k, _shown(n, minimum)) for k, n in sorted(disagreements.items())
            ),
        )


def _hashed(referral_id: str) -> str:
    return hashlib.sha256(referral_id.encode()).hexdigest()[:32]


def _aware(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _month(moment: dt.datetime, zone: dt.tzinfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m}"


def _shown(count: int, minimum: int) -> int | None:
    """The count, or None when under the minimum (small-number suppression)."""
    return count if count >= minimum else None


def _percent(part: int, whole: int, minimum: int) -> float | None:
    if part < minimum or whole < minimum:
        return None
    return round(100.0 * part / whole, 1)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in (0, 1]) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _timing(measure: str, hours: Sequence[float], minimum: int) -> Timing:
    if len(hours) < minimum:
        return Timing(measure, None, None, None)
    return Timing(
        measure,
        len(hours),
        round(percentile(hours, 0.5), 1),
        round(percentile(hours, 0.9), 1),
    )
