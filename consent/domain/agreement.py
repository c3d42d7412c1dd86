"""Information sharing agreements: who may see which events, why and on what basis."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from consent.domain.codes import known_legal_basis, known_purpose, load_policy_codes
from consent.domain.event import DataClass
from consent.domain.selectors import AgencySelector, RecipientSelector

Condition = Literal[
    "recipient-has-child-on-roll",
    "child-has-active-cp-plan",
    "child-has-cin-plan",
    "child-is-looked-after",
    "recipient-is-lead-professional",
    # The event names the recipient as the agency that made the referral it is
    # about (a field of role "referrer", schemas/processing.py): feedback on a
    # referral goes to its own referrer only.
    "recipient-is-referrer",
]
AgreementStatus = Literal["active", "retired"]
AgreementId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
LegalBasisCode = Annotated[str, AfterValidator(known_legal_basis)]
PurposeCode = Annotated[str, AfterValidator(known_purpose)]
EventType = Annotated[str, Field(pattern=r"^[A-Z][A-Za-z0-9]{1,99}$")]
# Sets serialise sorted, so that the policy hash of an agreement is stable.
EventTypes = Annotated[
    frozenset[EventType], Field(min_length=1), PlainSerializer(sorted, return_type=list[str])
]
FieldNames = Annotated[frozenset[str], PlainSerializer(sorted, return_type=list[str])]
DataClasses = Annotated[frozenset[DataClass], PlainSerializer(sorted, return_type=list[str])]
CONDITIONS: tuple[Condition, ...] = get_args(Condition)
Conditions = Annotated[frozenset[Condition], PlainSerializer(sorted, return_type=list[str])]


class AgreementTerms(BaseModel):
    """The terms of an agreement version: all of it but id, version and status."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    provider: AgencySelector
    recipient: RecipientSelector
    event_types: EventTypes
    data_classes: DataClasses = frozenset()
    fields: FieldNames = frozenset()
    purpose: PurposeCode
    legal_basis: LegalBasisCode
    conditions: Conditions = frozenset()
    valid_from: AwareDatetime
    valid_to: AwareDatetime | None = None


class AgreementVersionKey(BaseModel):
    """Which agreement, and which of its versions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: AgreementId
    version: int = Field(ge=1)


# Fields follow the bases from the last: `id` and `version`, the terms, then `status`.
class SharingAgreement(AgreementTerms, AgreementVersionKey):
    """One version of an information sharing agreement.

    It lets `recipient` see events of `event_types` published by `provider`,
    limited to the `data_classes` and explicit `fields` listed (neither: the
    envelope only, a signal), for `purpose` on `legal_basis`, when every
    condition holds and the decision time is in [valid_from, valid_to).
    """

    status: AgreementStatus = "active"

    @model_validator(mode="after")
    def _valid_period(self) -> SharingAgreement:
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        return self

    @property
    def safeguarding(self) -> bool:
        """Whether the legal basis is a safeguarding one (it may override a withdrawal)."""
        return load_policy_codes().legal_basis(self.legal_basis).safeguarding

    @property
    def requires_consent(self) -> bool:
        """Whether the legal basis is consent (a permit needs consent given)."""
        return load_policy_codes().legal_basis(self.legal_basis).requires_consent

    def in_force(self, at: datetime) -> bool:
        """Whether this version applies at `at`: active and within its validity period."""
        return (
            self.status == "active"
            and self.valid_from <= at
            and (self.valid_to is None or at < self.valid_to)
        )
