"""The outcome of a disclosure decision: a permit with its exact fields, or a deny."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

DenyReason = Literal[
    "no-agreement",
    "agreement-not-in-force",
    "condition-not-met",
    "consent-not-given",
    "consent-withdrawn",
]
# What each deny reason means, for people reading the audit trail.
DENY_REASON_TEXT: dict[DenyReason, str] = {
    "no-agreement": "no sharing agreement covers this event type from this provider "
    "to this recipient",
    "agreement-not-in-force": "the sharing agreements that cover this event are not in force "
    "at the decision time",
    "condition-not-met": "a condition of the sharing agreement does not hold for this child",
    "consent-not-given": "the agreement relies on consent and no consent is recorded",
    "consent-withdrawn": "consent was withdrawn or an objection recorded, and no "
    "safeguarding basis applies",
}


class Permit(BaseModel):
    """Disclose exactly `fields` under one agreement version, legal basis and purpose.

    `override` is True when a withdrawal or objection applied and a
    safeguarding basis overrode it; `overridden_directive_id` names it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: Literal["permit"] = "permit"
    fields: Annotated[frozenset[str], PlainSerializer(sorted, return_type=list[str])]
    agreement_id: str
    agreement_version: int
    legal_basis: str
    purpose: str
    recipient_team: str | None = None
    recipient_role: str | None = None
    override: bool = False
    overridden_directive_id: str | None = None

    @property
    def permitted(self) -> bool:
        """Always True: a permit discloses."""
        return True


class Deny(BaseModel):
    """Disclose nothing; `reason` is a code, `detail` says why in words."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: Literal["deny"] = "deny"
    reason: DenyReason
    detail: str
    agreement_id: str | None = None
    agreement_version: int | None = None

    @property
    def permitted(self) -> bool:
        """Always False: a deny discloses nothing."""
        return False


Disclosure = Annotated[Permit | Deny, Field(discriminator="decision")]
