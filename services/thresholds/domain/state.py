"""Compact per-child state for the thresholds rules, stored in a Faust table by child_ref.

Only codes, counts, dates (as proleptic ordinals), agency ids and a bounded
number of event ids are kept - never names or event content. Windows are
pruned as event time moves on, so the state stays bounded for a long-lived
child. `to_dict` omits empty fields; `from_dict(to_dict(s)) == s`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# Bounds on the lists kept per child.
MAX_EVIDENCE_IDS = 10
MAX_MISSING_EPISODES = 10


def session_key(ordinal: int, *, pm: bool) -> int:
    """One integer per register session: the date's ordinal times two, plus one for PM."""
    return ordinal * 2 + int(pm)


@dataclass(slots=True)
class ChildState:
    """What the rules remember about one child; mutated only on a copy by `apply_event`."""

    school: str | None = None
    plans: dict[str, str] = field(default_factory=dict)
    plan_alert_sessions: int | None = None
    plan_unexplained: int = 0
    year: str | None = None
    year_counts: list[int] = field(default_factory=lambda: [0, 0, 0])
    marks: dict[str, str] = field(default_factory=dict)
    term: int | None = None
    term_counts: list[int] = field(default_factory=lambda: [0, 0])
    streak: list[int] = field(default_factory=list)
    unauthorised: list[int] = field(default_factory=list)
    absence_ids: list[str] = field(default_factory=list)
    unauthorised_ids: list[str] = field(default_factory=list)
    suspensions: dict[str, int] = field(default_factory=dict)
    concerns: dict[str, list[Any]] = field(default_factory=dict)
    matched: list[str] = field(default_factory=list)
    missing: list[list[Any]] = field(default_factory=list)
    last_raised: dict[str, int] = field(default_factory=dict)
    referrals: dict[str, dict[str, Any]] = field(default_factory=dict)

    # year_counts: possible sessions, absence sessions, illness sessions (academic year).
    # marks: session key (as text) -> register code of the mark counted for that session,
    # this academic year, the last CORRECTION_WINDOW_DAYS (attendance_rules.py): a later
    # mark for the same session (a correction, or the same mark sent again under another
    # id) replaces the earlier one in the counts.
    # term, term_counts: first day (ordinal) of the current term; its possible and
    # absence sessions.
    # streak: [first session key, last school-day count evaluated] of unauthorised absence.
    # unauthorised: session keys of unauthorised absences inside the rolling window.
    # suspensions: suspension school days per term key of the current academic year.
    # concerns: agency id -> [date ordinal, event id] of its latest concern in the window.
    # matched: agencies told of the last multi-agency match.
    # missing: [date ordinal, event id] of recent missing episodes.
    # last_raised: rule id -> date ordinal of the last alert raised (cool-down).
    # referrals: referral id (the correlation_id) -> the referral's agencies, start
    # and open clocks, at most MAX_REFERRALS per child (referral_rules.py).

    def copy(self) -> ChildState:
        """A copy whose containers can be changed without touching this state."""
        return ChildState(
            school=self.school,
            plans=dict(self.plans),
            plan_alert_sessions=self.plan_alert_sessions,
            plan_unexplained=self.plan_unexplained,
            year=self.year,
            year_counts=list(self.year_counts),
            marks=dict(self.marks),
            term=self.term,
            term_counts=list(self.term_counts),
            streak=list(self.streak),
            unauthorised=list(self.unauthorised),
            absence_ids=list(self.absence_ids),
            unauthorised_ids=list(self.unauthorised_ids),
            suspensions=dict(self.suspensions),
            concerns={k: list(v) for k, v in self.concerns.items()},
            matched=list(self.matched),
            missing=[list(m) for m in self.missing],
            last_raised=dict(self.last_raised),
            referrals=_plain(self.referrals),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping with the empty and default fields left out."""
        empty = ChildState()
        return {
            name: _plain(getattr(self, name))
            for name in (f.name for f in fields(self))
            if getattr(self, name) != getattr(empty, name)
        }

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> ChildState:
        """Rebuild a state from `to_dict` output (missing fields take their defaults)."""
        state = cls()
        for name in (f.name for f in fields(cls)):
            if name in stored:
                setattr(state, name, _plain(stored[name]))
        return state


def _plain(value: Any) -> Any:
    """Deep copy of JSON-shaped containers (lists, dicts), so stored data is never shared."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def remember_id(ids: list[str], event_id: str) -> None:
    """Append an evidence id, keeping only the newest MAX_EVIDENCE_IDS."""
    ids.append(event_id)
    del ids[:-MAX_EVIDENCE_IDS]
