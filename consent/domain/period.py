"""A half-open period of time [start, end), used for validity and directive periods."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, model_validator


class Period(BaseModel):
    """From `start` (inclusive) to `end` (exclusive); no end means open-ended."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: AwareDatetime
    end: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end is not None and self.end <= self.start:
            raise ValueError("period: end must be after start")
        return self

    def contains(self, at: datetime) -> bool:
        """Whether `at` falls within the period."""
        return self.start <= at and (self.end is None or at < self.end)
