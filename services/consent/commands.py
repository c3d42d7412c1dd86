"""What consent officers ask the service to do: the request bodies, validated."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from consent.domain.agreement import AgreementId, AgreementTerms, PurposeCode
from consent.domain.directive import DirectiveKind
from consent.domain.period import Period
from consent.domain.selectors import AgencySelector
from schemas.child_ref import CHILD_REF_RULE, is_child_ref
from services.consent.exceptions import InvalidRequestError

DirectiveId = Annotated[str, Field(pattern=r"^[A-Za-z0-9\-.]{1,64}$")]


def checked_child_ref(value: str, field: str = "child_ref") -> str:
    """`value` when it is a child_ref; InvalidRequestError (422) naming `field` otherwise."""
    if not is_child_ref(value):
        raise InvalidRequestError(field, CHILD_REF_RULE)
    return value


class AgreementDraft(AgreementTerms):
    """The content of an agreement version; the service assigns version and status."""


class CreateAgreement(AgreementDraft):
    """A new agreement: version 1 under a new id."""

    id: AgreementId


class VersionAgreement(AgreementDraft):
    """A new version of an agreement; `based_on_version` guards against lost updates."""

    based_on_version: int | None = Field(default=None, ge=1)


class RecorderIn(BaseModel):
    """Who recorded a directive: the practitioner's role and agency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: str = Field(default="consent-officer", min_length=1)
    agency: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]


class RecordDirective(BaseModel):
    """A consent directive for one child (the child is named by the URL)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: DirectiveId | None = None
    kind: DirectiveKind
    purpose: PurposeCode | None = None
    recipient: AgencySelector | None = None
    period: Period
    recorded_by: RecorderIn
    note: str | None = Field(default=None, max_length=2000)
