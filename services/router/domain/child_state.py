"""Fold events into what the consent conditions read about a child (ChildState).

Which fact an event type starts or ends, and the field naming its place, come
from the table of event types (schemas/processing.py). A fact that starts
(joined roll, plan started, care started) counts for the event that starts it;
a fact that ends (left roll, plan ended) still counts for the event that ends
it, so the school a pupil leaves sees that they left.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consent.domain.child import ChildState
from consent.domain.directive import ConsentDirective
from schemas.processing import PROCESSING, EventProcessing


def _changed(state: ChildState, event: Mapping[str, Any], row: EventProcessing) -> ChildState:
    """The state once the row's fact has started (or ended)."""
    starts = row.starts
    if row.fact == "roll":
        school = {event[row.name("school")]}
        schools = state.on_roll_at | school if starts else state.on_roll_at - school
        return state.model_copy(update={"on_roll_at": schools})
    if row.fact in {"cp", "cin"}:
        plan = {row.fact}
        plans = state.active_plans | plan if starts else state.active_plans - plan
        return state.model_copy(update={"active_plans": plans})
    if row.fact == "lac":
        return state.model_copy(update={"looked_after": starts})
    if row.fact == "lead-professional":
        return state.model_copy(update={"lead_professional": event[row.name("agency")]})
    return state


def states_for(state: ChildState, event: Mapping[str, Any]) -> tuple[ChildState, ChildState]:
    """(state the decision reads, state kept after the event)."""
    row = PROCESSING.get(event["event_type"])
    if row is None or row.fact is None:
        return state, state
    after = _changed(state, event, row)
    return (after, after) if row.starts else (state, after)


def with_directive(state: ChildState, directive: ConsentDirective) -> ChildState:
    """The state with `directive` recorded (a later version replaces an earlier one)."""
    kept = tuple(d for d in state.directives if d.id != directive.id)
    return state.model_copy(update={"directives": (*kept, directive)})


def absorbed_into(survivor: ChildState, absorbed: ChildState) -> ChildState:
    """The survivor's state with an absorbed child's facts and directives (an identity merge).

    Facts join: the schools' rolls, the plans, a looked-after episode; the
    survivor's lead professional wins where both have one. The absorbed
    child's directives are recorded for the survivor (same ids), so a consent
    withdrawal or an objection made under either child_ref still governs what
    is disclosed about the one child.
    """
    held = {directive.id for directive in survivor.directives}
    moved = tuple(
        directive.model_copy(update={"child_ref": survivor.child_ref})
        for directive in absorbed.directives
        if directive.id not in held
    )
    return survivor.model_copy(
        update={
            "on_roll_at": survivor.on_roll_at | absorbed.on_roll_at,
            "active_plans": survivor.active_plans | absorbed.active_plans,
            "looked_after": survivor.looked_after or absorbed.looked_after,
            "lead_professional": survivor.lead_professional or absorbed.lead_professional,
            "directives": (*survivor.directives, *moved),
        }
    )
