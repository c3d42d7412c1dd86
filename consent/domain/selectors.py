"""Who a rule or directive is about: one agency, or every agency of a kind."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from consent.domain.agency import Agency, AgencyId, AgencyKind


class AgencySelector(BaseModel):
    """Exactly one of: an agency id, or an agency kind (every agency of that kind)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agency: AgencyId | None = None
    kind: AgencyKind | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> AgencySelector:
        if (self.agency is None) == (self.kind is None):
            raise ValueError("give exactly one of 'agency' (an agency id) or 'kind'")
        return self

    def matches(self, agency: Agency) -> bool:
        """Whether the agency is the one selected, or of the selected kind."""
        if self.agency is not None:
            return agency.id == self.agency
        return agency.kind == self.kind


class RecipientSelector(AgencySelector):
    """The receiving agency (or kind), optionally narrowed to a team or role within it."""

    team: str | None = Field(default=None, min_length=1)
    role: str | None = Field(default=None, min_length=1)
