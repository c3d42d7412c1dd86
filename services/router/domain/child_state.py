"""Fold events into what the consent conditions read about a child (ChildState).

A fact that starts (joined roll, plan started, care started) counts for the
event that starts it; a fact that ends (left roll, plan ended) still counts
for the event that ends it, so the school a pupil leaves sees that they left.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from consent.domain.child import ChildState
from consent.domain.directive import ConsentDirective

Fold = Callable[[ChildState, Mapping[str, Any]], ChildState]


def _joined(state: ChildState, event: Mapping[str, Any]) -> ChildState:
    return state.model_copy(update={"on_roll_at": state.on_roll_at | {event["school"]}})


def _left(state: ChildState, event: Mapping[str, Any]) -> ChildState:
    return state.model_copy(update={"on_roll_at": state.on_roll_at - {event["school"]}})


def _plan(plan: str, *, active: bool) -> Fold:
    def fold(state: ChildState, _: Mapping[str, Any]) -> ChildState:
        plans = state.active_plans | {plan} if active else state.active_plans - {plan}
        return state.model_copy(update={"active_plans": plans})

    return fold


def _looked_after(*, active: bool) -> Fold:
    return lambda state, _: state.model_copy(update={"looked_after": active})


def _lead(state: ChildState, event: Mapping[str, Any]) -> ChildState:
    return state.model_copy(update={"lead_professional": event["agency"]})


# event type -> (fold, applies before the decision?)
STARTS: Final[Mapping[str, Fold]] = {
    "PupilJoinedRoll": _joined,
    "ChildProtectionPlanStarted": _plan("cp", active=True),
    "ChildInNeedPlanStarted": _plan("cin", active=True),
    "LookedAfterEpisodeStarted": _looked_after(active=True),
    "LeadProfessionalAssigned": _lead,
}
ENDS: Final[Mapping[str, Fold]] = {
    "PupilLeftRoll": _left,
    "ChildProtectionPlanEnded": _plan("cp", active=False),
    "ChildInNeedPlanEnded": _plan("cin", active=False),
    "LookedAfterEpisodeEnded": _looked_after(active=False),
}


def states_for(state: ChildState, event: Mapping[str, Any]) -> tuple[ChildState, ChildState]:
    """(state the decision reads, state kept after the event)."""
    event_type = event["event_type"]
    start = STARTS.get(event_type)
    if start is not None:
        after = start(state, event)
        return after, after
    end = ENDS.get(event_type)
    if end is not None:
        return state, end(state, event)
    return state, state


def with_directive(state: ChildState, directive: ConsentDirective) -> ChildState:
    """The state with `directive` recorded (a later version replaces an earlier one)."""
    kept = tuple(d for d in state.directives if d.id != directive.id)
    return state.model_copy(update={"directives": (*kept, directive)})
