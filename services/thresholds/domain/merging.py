"""Two children's rule state folded into one, when an identity steward merges their child_refs.

Pure. The typical merge joins a child known to a school by UPN (register
marks, absences) with the same child known to social care by NHS number
(plans): after the fold the rules see one child - the absences and the plan -
so "a child on a plan missing school" can fire. How each part folds:

- counts of the same academic year or term add up; of different periods the
  later period's are kept (the earlier one is closed, as `_count` would);
- sets (plans, rolling unauthorised sessions, agencies told, concerns,
  missing episodes, suspension days per term) are joined, the survivor's
  value winning where both hold one, and kept within their bounds;
- the session marks of the kept academic year are joined (the survivor's mark
  wins for a session both hold), so a later correction replaces the right one;
- referrals join by referral id (the survivor's entry wins where both hold
  one), kept within their bound, open clocks first;
- the unauthorised-absence run (streak) is the survivor's when it has one,
  else the absorbed child's: marks of one child come from one school, so at
  most one of the two has a run in the usual case;
- cool-downs keep the later alert date per rule, so a merge never re-raises
  an alert either child had raised within its cool-down.
"""

from __future__ import annotations

import copy
from typing import Any

from services.thresholds.domain.referral_rules import keep_bounded
from services.thresholds.domain.state import MAX_EVIDENCE_IDS, MAX_MISSING_EPISODES, ChildState


def _counts(mine: tuple[Any, list[int]], theirs: tuple[Any, list[int]]) -> tuple[Any, list[int]]:
    """(period, counts) of one period: the same period adds up, else the later one is kept."""
    (period, counts), (other, other_counts) = mine, theirs
    if other is None:
        return period, list(counts)
    if period is None or other > period:
        return other, list(other_counts)
    if other == period:
        return period, [a + b for a, b in zip(counts, other_counts, strict=True)]
    return period, list(counts)


def _latest_by_key(mine: dict[str, list[Any]], theirs: dict[str, list[Any]]) -> dict[str, Any]:
    """Per key, the [date ordinal, ...] entry with the later date."""
    joined = {key: list(value) for key, value in theirs.items()}
    for key, value in mine.items():
        if key not in joined or value[0] >= joined[key][0]:
            joined[key] = list(value)
    return joined


def _evidence(mine: list[str], theirs: list[str]) -> list[str]:
    joined = [*theirs, *(i for i in mine if i not in theirs)]
    return joined[-MAX_EVIDENCE_IDS:]


def fold_states(survivor: ChildState, absorbed: ChildState) -> ChildState:
    """The survivor's rule state with the absorbed child's folded in (neither is changed)."""
    folded = survivor.copy()
    folded.school = survivor.school or absorbed.school
    folded.plans = {**absorbed.plans, **survivor.plans}
    if folded.plan_alert_sessions is None:
        folded.plan_alert_sessions = absorbed.plan_alert_sessions
    folded.plan_unexplained = survivor.plan_unexplained + absorbed.plan_unexplained
    folded.year, folded.year_counts = _counts(
        (survivor.year, survivor.year_counts), (absorbed.year, absorbed.year_counts)
    )
    folded.term, folded.term_counts = _counts(
        (survivor.term, survivor.term_counts), (absorbed.term, absorbed.term_counts)
    )
    folded.marks = {
        session: code
        for state in (absorbed, survivor)  # the survivor's mark wins for a session both hold
        if state.year == folded.year
        for session, code in state.marks.items()
    }
    folded.streak = list(survivor.streak or absorbed.streak)
    folded.referrals = {
        referral: copy.deepcopy(entry)
        for state in (absorbed, survivor)  # the survivor's entry wins for a referral both hold
        for referral, entry in state.referrals.items()
    }
    keep_bounded(folded)
    folded.unauthorised = sorted({*survivor.unauthorised, *absorbed.unauthorised})
    folded.absence_ids = _evidence(survivor.absence_ids, absorbed.absence_ids)
    folded.unauthorised_ids = _evidence(survivor.unauthorised_ids, absorbed.unauthorised_ids)
    folded.suspensions = {
        key: survivor.suspensions.get(key, 0) + absorbed.suspensions.get(key, 0)
        for key in {*survivor.suspensions, *absorbed.suspensions}
    }
    folded.concerns = _latest_by_key(survivor.concerns, absorbed.concerns)
    folded.matched = sorted({*survivor.matched, *absorbed.matched})
    episodes = {(m[0], m[1]): list(m) for m in [*absorbed.missing, *survivor.missing]}
    folded.missing = sorted(episodes.values())[-MAX_MISSING_EPISODES:]
    folded.last_raised = {
        rule: max(survivor.last_raised.get(rule, day), day)
        for rule, day in absorbed.last_raised.items()
    } | {
        rule: day for rule, day in survivor.last_raised.items() if rule not in absorbed.last_raised
    }
    return folded
