"""Safeguarding rules: Operation Encompass, multi-agency match, repeat missing episodes."""

from __future__ import annotations

from services.thresholds.domain.context import EventContext, Trigger
from services.thresholds.domain.event_fields import incident_at, incident_school
from services.thresholds.domain.state import MAX_MISSING_EPISODES, ChildState


def check_encompass(ctx: EventContext, _state: ChildState) -> list[Trigger]:
    """A police-attended domestic abuse incident: the school's DSL before the next school day."""
    rule = ctx.rules.encompass
    summary = (
        "Operation Encompass: a domestic abuse incident has been notified; "
        "for the designated safeguarding lead before the next school day starts."
    )
    return [
        Trigger(
            rule,
            (ctx.envelope.event_id,),
            summary,
            due_from=incident_at(ctx.event) or ctx.envelope.occurred_at,
            school=incident_school(ctx.event),
        )
    ]


def check_match(ctx: EventContext, state: ChildState) -> list[Trigger]:
    """Concerns from enough different agencies within the window: tell each who else is involved.

    A match alerts when an agency not told of the last match joins it, so a
    repeated concern from an agency already matched raises nothing new.
    """
    rule = ctx.rules.multi_agency_match
    today = ctx.day.toordinal()
    state.concerns[ctx.envelope.agency] = [today, ctx.envelope.event_id]
    state.concerns = {
        agency: latest
        for agency, latest in state.concerns.items()
        if today - int(latest[0]) < rule.window_days
    }
    involved = tuple(sorted(state.concerns))
    state.matched = [a for a in state.matched if a in state.concerns]
    if len(involved) < rule.minimum or set(involved) <= set(state.matched):
        return []
    state.matched = list(involved)
    evidence = tuple(str(state.concerns[a][1]) for a in involved)
    summary = (
        f"{len(involved)} agencies have raised concerns about this child within "
        f"{rule.window_days} days: see who else is involved."
    )
    return [Trigger(rule, evidence, summary, involved=involved)]


def check_missing(ctx: EventContext, state: ChildState) -> list[Trigger]:
    """Repeat missing episodes within the window."""
    rule = ctx.rules.missing_episodes
    today = ctx.day.toordinal()
    recent = [m for m in state.missing if today - int(m[0]) < rule.window_days]
    recent.append([today, ctx.envelope.event_id])
    state.missing = recent[-MAX_MISSING_EPISODES:]
    if len(state.missing) < rule.minimum:
        return []
    summary = f"{len(state.missing)} missing episodes within {rule.window_days} days."
    return [Trigger(rule, tuple(str(m[1]) for m in state.missing), summary)]
