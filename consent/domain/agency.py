"""Agencies of a deployment and the directory that lists them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from consent.exceptions import PolicyDataError, UnknownAgencyError

# `bus`: the bus's own services that publish derived events (the thresholds
# service's alerts), so that agreements can name them as a provider.
AgencyKind = Literal["school", "social-care", "police", "health", "local-authority", "bus"]
AGENCY_KINDS: tuple[AgencyKind, ...] = (
    "school",
    "social-care",
    "police",
    "health",
    "local-authority",
    "bus",
)
# Lower-case letters, digits and hyphens: it names ingest.<id> and view.<id>.
AgencyId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]


class Agency(BaseModel):
    """An agency that publishes events or receives views (a school, police force...)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: AgencyId
    kind: AgencyKind
    name: str = Field(min_length=1)
    duty_contact: str = Field(min_length=1)


class AgencyDirectory(BaseModel):
    """The agencies of one deployment, looked up by id or by kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agencies: tuple[Agency, ...]
    _by_id: dict[str, Agency] = PrivateAttr(default_factory=dict)
    _by_kind: dict[str, tuple[Agency, ...]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_ids(self) -> AgencyDirectory:
        ids = [agency.id for agency in self.agencies]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"agency ids listed more than once: {duplicates}")
        return self

    def model_post_init(self, context: object, /) -> None:
        """Index the agencies by id and by kind."""
        del context
        self._by_id.update((agency.id, agency) for agency in self.agencies)
        for kind in AGENCY_KINDS:
            self._by_kind[kind] = tuple(a for a in self.agencies if a.kind == kind)

    def get(self, agency_id: str) -> Agency | None:
        """The agency with this id, or None."""
        return self._by_id.get(agency_id)

    def require(self, agency_id: str) -> Agency:
        """The agency with this id; UnknownAgencyError when it is not listed."""
        agency = self._by_id.get(agency_id)
        if agency is None:
            raise UnknownAgencyError(f"agency {agency_id!r} is not in the agency directory")
        return agency

    def of_kind(self, kind: str) -> tuple[Agency, ...]:
        """The agencies of this kind, in directory order."""
        return self._by_kind.get(kind, ())

    def __contains__(self, agency_id: object) -> bool:
        """Whether an agency with this id is listed."""
        return agency_id in self._by_id


def load_agency_directory(path: Path) -> AgencyDirectory:
    """Read an agency directory from a YAML file shaped like the packaged agencies.yaml."""
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise PolicyDataError(f"agency directory {path}: {err}") from err
    if not isinstance(raw, dict) or not isinstance(raw.get("agencies"), list):
        raise PolicyDataError(f"agency directory {path}: expected a mapping with 'agencies' list")
    try:
        return AgencyDirectory(agencies=tuple(raw["agencies"]))
    except ValidationError as err:
        raise PolicyDataError(f"agency directory {path}: {err}") from err
