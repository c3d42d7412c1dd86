"""Bases of the generated event models (hand-written; the models themselves are generated)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class RecordModel(BaseModel):
    """An Avro record as a frozen pydantic model that refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class EventModel(RecordModel):
    """An event: the envelope and the event's own fields, typed."""

    def to_record(self) -> dict[str, Any]:
        """The event as the dict fastavro writes (UUIDs, datetimes and dates kept as objects)."""
        return self.model_dump()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        """Build the model from a dict as fastavro reads it."""
        return cls.model_validate(record)
