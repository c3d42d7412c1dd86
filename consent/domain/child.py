"""What is known about one child when a disclosure is decided."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from consent.domain.directive import ConsentDirective

Plan = Literal["cp", "cin"]


class ChildState(BaseModel):
    """The facts about a child that agreement conditions and directives read.

    `on_roll_at` holds the agency ids of the schools that have the child on
    roll; `active_plans` the open child-protection (cp) and child-in-need
    (cin) plans; `lead_professional` the agency id of the lead professional.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    child_ref: str
    on_roll_at: frozenset[str] = frozenset()
    active_plans: frozenset[Plan] = frozenset()
    looked_after: bool = False
    lead_professional: str | None = None
    directives: tuple[ConsentDirective, ...] = ()
