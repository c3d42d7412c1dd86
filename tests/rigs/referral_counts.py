"""The partnership figures recomputed naively from view records: the brute-force check.

Written without the ledger's incremental state: group every decoded view record
of the referral loop by referral id, then count. The figures service must give
exactly these numbers, with the same small-number suppression.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

LOOP = {"ReferralMade", "ReferralReceived", "ReferralDecided"}
DISAGREEMENT = {
    "ProfessionalDisagreementRaised",
    "ProfessionalDisagreementEscalated",
    "ProfessionalDisagreementResolved",
}
ASSESSMENT = {"child_in_need_assessment", "section_47_enquiry"}


def _time(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def _shown(count: int, minimum: int) -> int | None:
    return count if count >= minimum else None


def _percent(part: int, whole: int, minimum: int) -> float | None:
    return round(100 * part / whole, 1) if part >= minimum and whole >= minimum else None


def _timing(name: str, hours: list[float], minimum: int) -> dict[str, Any]:
    if len(hours) < minimum:
        return {"measure": name, "count": None, "p50_hours": None, "p90_hours": None}
    return {
        "measure": name,
        "count": len(hours),
        "p50_hours": round(_nearest_rank(hours, 0.5), 1),
        "p90_hours": round(_nearest_rank(hours, 0.9), 1),
    }


@dataclass
class _One:
    """What one referral contributes to the figures."""

    kind: str
    cell: tuple[str, str, str] | None = None
    outcome: str | None = None
    to_decision: float | None = None
    to_feedback: float | None = None
    disagreement: tuple[str, str] | None = None


def _kind_of(pairs: list[tuple[dict, dict]], kinds: dict[str, str]) -> str:
    made = [e for e, _ in pairs if e["event_type"] == "ReferralMade"]
    if made:
        referrer = made[0]["source"]["agency"]
    else:
        named = [f.get("referrer_agency") for e, f in pairs if e["event_type"] in LOOP]
        referrer = next((n for n in named if n), None)
    return "not-on-the-bus" if referrer is None else kinds.get(referrer, "other")


def _referral(events: list[dict], kinds: dict[str, str], zone: dt.tzinfo) -> _One:
    pairs = [(e, json.loads(e["fields"])) for e in events]
    one = _One(_kind_of(pairs, kinds))
    starts = [e for e, _ in pairs if e["event_type"] in {"ReferralMade", "ReferralReceived"}]
    decisions = [(e, f) for e, f in pairs if e["event_type"] == "ReferralDecided"]
    start = min((_time(e["occurred_at"]) for e in starts), default=None)
    decided_at = fed = None
    if decisions:
        event, field = decisions[0]
        one.outcome = field.get("outcome") or "undisclosed"
        decided_at = _time(field.get("decided_at") or event["occurred_at"])
        fed = _time(event["decided_at"]) if field.get("referrer_agency") else None
    moment = start or decided_at
    if moment is not None:
        month = f"{moment.astimezone(zone):%Y-%m}"
        one.cell = (month, one.kind, one.outcome or "awaiting-decision")
    if start is not None and decided_at is not None:
        one.to_decision = max(0.0, (decided_at - start).total_seconds() / 3600)
        if fed is not None:
            one.to_feedback = max(0.0, (fed - start).total_seconds() / 3600)
    stages = [f for e, f in pairs if e["event_type"] in DISAGREEMENT]
    if stages:
        reached = max([1, *(int(f["stage"]) for f in stages if "stage" in f)])
        ends = [
            f.get("outcome") or "resolved"
            for e, f in pairs
            if e["event_type"] == "ProfessionalDisagreementResolved"
        ]
        one.disagreement = (str(reached), ends[-1] if ends else "open")
    return one


def brute_force(
    records: list[dict], kinds: dict[str, str], minimum: int, zone: dt.tzinfo
) -> dict[str, Any]:
    """The API's figures, from every decoded DisclosedEvent of the partnership's view."""
    unique = {str(r["event_id"]): r for r in records}.values()
    grouped: defaultdict[str, list[dict]] = defaultdict(list)
    for record in unique:
        if record.get("correlation_id"):
            grouped[str(record["correlation_id"])].append(record)
    cells: Counter[tuple[str, str, str]] = Counter()
    decided: Counter[str] = Counter()
    assessed: Counter[str] = Counter()
    s47: Counter[str] = Counter()
    to_decision: list[float] = []
    to_feedback: list[float] = []
    disagreements: Counter[tuple[str, str]] = Counter()
    for events in grouped.values():
        one = _referral(events, kinds, zone)
        if one.cell is not None:
            cells[one.cell] += 1
        if one.outcome is not None:
            decided[one.kind] += 1
            assessed[one.kind] += one.outcome in ASSESSMENT
            s47[one.kind] += one.outcome == "section_47_enquiry"
        if one.to_decision is not None:
            to_decision.append(one.to_decision)
        if one.to_feedback is not None:
            to_feedback.append(one.to_feedback)
        if one.disagreement is not None:
            disagreements[one.disagreement] += 1

    return {
        "minimum_cell": minimum,
        "referrals": [
            {"month": m, "referrer_kind": k, "outcome": o, "count": _shown(n, minimum)}
            for (m, k, o), n in sorted(cells.items())
        ],
        "conversion": [
            {
                "kind": k,
                "decided": _shown(n, minimum),
                "assessment_percent": _percent(assessed[k], n, minimum),
                "s47_percent": _percent(s47[k], n, minimum),
            }
            for k, n in sorted(decided.items())
        ],
        "timeliness": [
            _timing("referral-to-decision", to_decision, minimum),
            _timing("referral-to-feedback", to_feedback, minimum),
        ],
        "disagreements": [
            {"stage": s, "outcome": o, "count": _shown(n, minimum)}
            for (s, o), n in sorted(disagreements.items())
        ],
    }
