"""A referrer's referrals as its view shows them: status, decision, disagreement.

A referral is known to its referrer from what children's social care's events
disclose to it under the referral-feedback agreement (docs/referrals.md): the
acknowledgement (ReferralReceived), the decision (ReferralDecided), the
assessment's end (AssessmentCompleted) and a disagreement's progress. The
referral's id is the events' correlation_id. A field the agreement did not
permit is absent, shown as "not disclosed". The referrer's own ReferralMade
never comes back through its view (the router never sends an agency its own
events), so a referral shows from social care's acknowledgement on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

ReferralStatus = Literal["waiting", "decided", "assessment", "closed"]
RECEIVED: Final = "ReferralReceived"
DECIDED: Final = "ReferralDecided"
ASSESSED: Final = "AssessmentCompleted"
ESCALATED: Final = "ProfessionalDisagreementEscalated"
RESOLVED: Final = "ProfessionalDisagreementResolved"
MADE: Final = "ReferralMade"
RAISED: Final = "ProfessionalDisagreementRaised"
LOOP_EVENT_TYPES: Final = frozenset(
    {RECEIVED, DECIDED, ASSESSED, ESCALATED, RESOLVED, MADE, RAISED}
)
# Decisions that open a child and family assessment (Children Act 1989 s17, s47).
ASSESSMENT_OUTCOMES: Final = frozenset({"child_in_need_assessment", "section_47_enquiry"})
DECISION_FIELDS: Final = ("outcome", "threshold_level", "reason_category", "next_steps", "contact")


@dataclass(frozen=True, slots=True)
class LoopEvent:
    """One disclosed event of the referral loop, as a view holds it.

    `routed_at` is when the router decided the disclosure (the view record's
    decided_at): for a decision naming its referrer, when feedback was given.
    """

    event_id: str
    event_type: str
    recipient: str
    source_agency: str
    child_ref: str
    referral_id: str
    occurred_at: dt.datetime
    routed_at: dt.datetime
    fields: Mapping[str, Any] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        """A disclosed field as text; None when it was not disclosed (or null)."""
        value = self.fields.get(name)
        return None if value is None else str(value)


class Referral(BaseModel):
    """One referral of an agency, folded from what its view disclosed."""

    model_config = ConfigDict(frozen=True)

    referral_id: str
    agency: str
    child_ref: str
    social_care: str
    received_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    decision_event_id: str | None = None
    decision: Mapping[str, str | None] = {}
    assessment_outcome: str | None = None
    assessed_at: dt.datetime | None = None
    disagreement_stage: int | None = None
    disagreement_outcome: str | None = None
    disagreement_raised_at: dt.datetime | None = None

    @property
    def status(self) -> ReferralStatus:
        """Waiting for a decision, decided, under assessment, or closed."""
        if self.assessed_at is not None:
            return "closed"
        if self.decided_at is None:
            return "waiting"
        if self.decision.get("outcome") in ASSESSMENT_OUTCOMES:
            return "assessment"
        return "decided"

    @property
    def may_disagree(self) -> bool:
        """A decision is known, the referral not closed, and no disagreement about it open."""
        open_disagreement = (
            self.disagreement_raised_at is not None or self.disagreement_stage is not None
        ) and self.disagreement_outcome is None
        decided = self.status in {"decided", "assessment"}
        return self.decision_event_id is not None and decided and not open_disagreement

    def as_json(self) -> dict[str, Any]:
        """The referral as the API shows it."""
        body = self.model_dump(mode="json")
        body["status"] = self.status
        body["may_disagree"] = self.may_disagree
        return body

    def folded(self, event: LoopEvent) -> Referral:
        """The referral after one more of its disclosed events."""
        update: dict[str, Any] = {}
        if event.event_type == RECEIVED:
            update["received_at"] = event.occurred_at
        elif event.event_type == DECIDED:
            update["decided_at"] = event.occurred_at
            update["decision_event_id"] = event.event_id
            update["decision"] = {name: event.text(name) for name in DECISION_FIELDS}
        elif event.event_type == ASSESSED:
            update["assessed_at"] = event.occurred_at
            update["assessment_outcome"] = event.text("outcome")
        elif event.event_type == ESCALATED:
            stage = event.fields.get("stage")
            update["disagreement_stage"] = stage if isinstance(stage, int) else None
        elif event.event_type == RESOLVED:
            stage = event.fields.get("stage")
            update["disagreement_stage"] = stage if isinstance(stage, int) else None
            update["disagreement_outcome"] = event.text("outcome") or "resolved"
        return self.model_copy(update=update)


class ReferralBook:
    """Every served agency's referrals, from its view; de-duplicated on event id."""

    def __init__(self) -> None:
        """No referrals yet."""
        self._referrals: dict[tuple[str, str], Referral] = {}
        self._seen: set[tuple[str, str]] = set()

    def record(self, event: LoopEvent) -> Referral | None:
        """Fold a disclosed event about one of the recipient's referrals in."""
        if event.event_type in {MADE, RAISED}:  # the referrer's own: never in its view
            return None
        seen = (event.recipient, event.event_id)
        if seen in self._seen:
            return None
        self._seen.add(seen)
        key = (event.recipient, event.referral_id)
        current = self._referrals.get(key) or Referral(
            referral_id=event.referral_id,
            agency=event.recipient,
            child_ref=event.child_ref,
            social_care=event.source_agency,
        )
        changed = current.folded(event)
        self._referrals[key] = changed
        return changed

    def of(self, agency: str) -> list[Referral]:
        """The agency's referrals: waiting first, then the newest."""

        def key(referral: Referral) -> tuple[int, float]:
            moment = referral.decided_at or referral.received_at
            return (int(referral.status != "waiting"), -(moment.timestamp() if moment else 0))

        return sorted((r for (a, _), r in self._referrals.items() if a == agency), key=key)

    def get(self, agency: str, referral_id: str) -> Referral | None:
        """One of the agency's referrals, or None."""
        return self._referrals.get((agency, referral_id))

    def disagreement_raised(self, agency: str, referral_id: str, at: dt.datetime) -> Referral:
        """Note that the agency raised a disagreement about the referral's decision at `at`."""
        key = (agency, referral_id)
        changed = self._referrals[key].model_copy(
            update={"disagreement_raised_at": at, "disagreement_outcome": None}
        )
        self._referrals[key] = changed
        return changed
