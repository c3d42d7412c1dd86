"""The simulator's own expectation: which alerts the rules must raise, for whom.

Each pupil's events go through the thresholds domain's `apply_event`, in the
order they are published, with the rules, calendar and register codes the
worker loads, exactly as the worker applies them. An event the domain cannot
process (a `ThresholdsError`) changes nothing, as the worker dead-letters it.
An alert with a deadline and people to escalate to is escalated once the
deadline passes on the wall clock unacknowledged (nobody acknowledges in a
simulation), so its escalation is expected too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

from services.simulate.events import SimEvent
from services.thresholds.domain.alerts import AlertDraft, Recipient
from services.thresholds.domain.calendar import SchoolCalendar
from services.thresholds.domain.evaluate import apply_event
from services.thresholds.domain.exceptions import ThresholdsError
from services.thresholds.domain.register_codes import RegisterCodes
from services.thresholds.domain.rules import RuleSet
from services.thresholds.domain.state import ChildState

ESCALATED: Final = ".escalated"  # the rule id suffix of an escalation (thresholds adapters)


def agencies_of(recipients: tuple[Recipient, ...]) -> tuple[str, ...]:
    """The recipient agencies as AlertRaised carries them: distinct, sorted."""
    return tuple(sorted({r.agency for r in recipients}))


@dataclass(frozen=True, slots=True)
class ExpectedAlert:
    """An alert the rules raise: for which pupil, by which rule, on what evidence, to whom."""

    pupil: int
    rule_id: str
    evidence: tuple[str, ...]
    recipients: tuple[str, ...]
    due_by: dt.datetime | None = None
    escalate_to: tuple[str, ...] = ()
    trigger: str = field(default="", compare=False)  # the event that raised it

    @property
    def key(self) -> tuple[int, str, tuple[str, ...]]:
        """What identifies the alert across the bus: pupil, rule and evidence."""
        return (self.pupil, self.rule_id, self.evidence)

    def escalation(self, now: dt.datetime) -> ExpectedAlert | None:
        """The escalation of this alert, once its deadline passed before `now`."""
        if self.due_by is None or not self.escalate_to or not now > self.due_by:
            return None
        return ExpectedAlert(self.pupil, self.rule_id + ESCALATED, self.evidence, self.escalate_to)


@dataclass
class Expectation:
    """Runs the pupils' events through the rules as they are published."""

    rules: RuleSet
    calendar: SchoolCalendar
    codes: RegisterCodes
    alerts: list[ExpectedAlert] = field(default_factory=list)
    unprocessable: int = 0
    _states: dict[int, ChildState] = field(default_factory=dict)

    def apply(self, event: SimEvent) -> list[ExpectedAlert]:
        """Apply one published event to its pupil; the alerts it raises."""
        state = self._states.get(event.pupil) or ChildState()
        record = event.record(f"pupil-{event.pupil}")
        try:
            self._states[event.pupil], drafts = apply_event(
                state, record, self.rules, self.calendar, self.codes
            )
        except ThresholdsError:
            self.unprocessable += 1
            return []
        raised = [self._expected(event.pupil, draft, event.event_id) for draft in drafts]
        self.alerts += raised
        return raised

    @staticmethod
    def _expected(pupil: int, draft: AlertDraft, trigger: str) -> ExpectedAlert:
        return ExpectedAlert(
            pupil,
            draft.rule_id,
            draft.evidence_event_ids,
            agencies_of(draft.recipients),
            draft.due_by,
            agencies_of(draft.escalate_to),
            trigger,
        )

    def with_escalations(self, now: dt.datetime) -> list[ExpectedAlert]:
        """Every expected alert, and the escalation of each whose deadline passed by `now`."""
        escalations = [e for alert in self.alerts if (e := alert.escalation(now)) is not None]
        return self.alerts + escalations
