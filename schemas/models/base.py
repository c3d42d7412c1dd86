"""Bases of the generated event models (hand-written; the models themselves are generated).

`EventModel` declares the envelope (schemas/envelope.py) once: a generated
event model inherits each envelope field its schema states as declared here
(the generator compares type, default and doc) and declares only the rest,
`event_type` always (the event's own literal). The .avsc files stay the one
source: a schema whose envelope field differs gets that field in its model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class RecordModel(BaseModel):
    """An Avro record as a frozen pydantic model that refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(RecordModel):
    """Who published the event."""

    agency: str = Field(
        description="Agency id of the publisher (the deployment's agencies.yaml).",
    )
    system: str = Field(
        description="Name of the publishing case or management information system.",
    )
    practitioner_role: str | None = Field(
        None,
        description="Role of the practitioner who recorded the fact, when known.",
    )


class EventModel(RecordModel):
    """An event: the envelope and the event's own fields, typed."""

    event_id: UUID = Field(
        description="Unique id of this event (UUID); consumers de-duplicate on it.",
    )
    event_type: str = Field(
        description="Names the schema of this event.",
    )
    occurred_at: AwareDatetime = Field(
        description="When the fact happened in the world (UTC).",
    )
    recorded_at: AwareDatetime = Field(
        description="When the publishing system recorded the fact (UTC).",
    )
    source: Source = Field(
        description="Who published the event.",
    )
    child_ref: str = Field(
        description=(
            "Pseudonymous child reference (keyed HMAC, see services/identity); "
            "never a raw identifier."
        ),
    )
    correlation_id: str | None = Field(
        None,
        description="Id tying related events together (e.g. one incident, one case), when known.",
    )

    def to_record(self) -> dict[str, Any]:
        """The event as the dict fastavro writes (UUIDs, datetimes and dates kept as objects)."""
        return self.model_dump()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        """Build the model from a dict as fastavro reads it."""
        return cls.model_validate(record)
