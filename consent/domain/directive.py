"""Per-child consent directives: consent given or withdrawn, or an objection."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from consent.domain.agency import AgencyId
from consent.domain.codes import known_purpose
from consent.domain.period import Period
from consent.domain.selectors import AgencySelector

DirectiveKind = Literal["given", "withdrawn", "objection"]


class RecordedBy(BaseModel):
    """Who recorded a directive: the practitioner's role and their agency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: str = Field(min_length=1)
    agency: AgencyId


class ConsentDirective(BaseModel):
    """A child's (or parent's) consent decision for a purpose and recipient.

    `purpose` None means every purpose; `recipient` None means every
    recipient. `recorded_at` is when the consent service received the
    directive, from its own clock, never from the document it came in; among
    the directives that apply to one decision, the most recently received
    governs. `stated_at` is the time the document (an imported FHIR Consent)
    gave for it, kept for the record and never used to order directives: a
    document dated later cannot outrank a withdrawal received after it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # A FHIR id: letters, digits, '-' and '.', at most 64 characters.
    id: str = Field(pattern=r"^[A-Za-z0-9\-.]{1,64}$")
    child_ref: str = Field(min_length=1)
    kind: DirectiveKind
    purpose: Annotated[str, AfterValidator(known_purpose)] | None = None
    recipient: AgencySelector | None = None
    period: Period
    recorded_by: RecordedBy
    recorded_at: AwareDatetime
    stated_at: AwareDatetime | None = None
    note: str | None = None

    @property
    def blocks(self) -> bool:
        """Whether this directive stands against sharing (withdrawal or objection)."""
        return self.kind != "given"

    def applies(self, purpose: str, recipient_id: str, recipient_kind: str, at: datetime) -> bool:
        """Whether it covers this purpose and recipient at `at`."""
        if self.purpose is not None and self.purpose != purpose:
            return False
        selector = self.recipient
        if selector is not None and (
            selector.agency != recipient_id
            if selector.agency is not None
            else selector.kind != recipient_kind
        ):
            return False
        return self.period.contains(at)
