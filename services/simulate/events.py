"""Simulated events: what an agency's system publishes, when, about which pupil, under which id.

Event ids are UUIDs (version 4 layout) that carry the run and the pupil: the
upper 64 bits are the run's key (from the seed and the run id), the lower 64
the pupil's number (30 bits) and the event's sequence number (32 bits). So
the simulator knows its own events, and whose they are, wherever they show
up (a view, an alert's evidence) without keeping a table of every id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from services.simulate.authority import Pupil

RECORDING_DELAY: Final = dt.timedelta(minutes=2)  # from the fact to the system's record of it
_PUPIL_BITS: Final = 30
_SEQUENCE_BITS: Final = 32
SYSTEMS: Final = {
    "school": "sim-school-mis",
    "social-care": "sim-case-management",
    "police": "sim-police-records",
    "health": "sim-health-records",
}


@dataclass(slots=True)
class SimEvent:
    """One event an agency publishes about one pupil at simulated time `at` (UTC)."""

    at: dt.datetime
    agency: str
    kind: str  # the publishing agency's kind (agencies.yaml)
    pupil: int
    event_type: str
    fields: dict[str, Any]
    event_id: str = field(default="")

    def record(self, child_ref: str) -> dict[str, Any]:
        """The event as a record (fastavro types): the envelope, then its own fields."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "occurred_at": self.at,
            "recorded_at": self.at + RECORDING_DELAY,
            "source": {
                "agency": self.agency,
                "system": SYSTEMS[self.kind],
                "practitioner_role": None,
            },
            "child_ref": child_ref,
            "correlation_id": None,
            **self.fields,
        }

    def document(self, pupil: Pupil) -> dict[str, Any]:
        """The event as the gateway's JSON takes it: identifiers in place of the child_ref."""
        record = self.record("")
        record.pop("child_ref")
        record["identifier"] = identifiers_of(pupil, school=self.kind == "school")
        return {name: _json(value) for name, value in record.items()}


def identifiers_of(pupil: Pupil, *, school: bool) -> list[dict[str, str]]:
    """What an agency knows the pupil by (a school: the UPN, and the NHS number if known).

    Any other agency knows the child by the NHS number only.
    """
    found = []
    if pupil.nhs_number is not None:
        found.append({"kind": "nhs_number", "value": pupil.nhs_number})
    if school:
        found.append({"kind": "upn", "value": pupil.upn})
    if not found:
        msg = f"pupil {pupil.index} has no NHS number, so no agency but a school can name them"
        raise ValueError(msg)
    return found


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


class EventIds:
    """Makes and reads the run's event ids (layout in the module docstring)."""

    def __init__(self, seed: int, run_id: str) -> None:
        """Key the ids of run `run_id` of the simulation seeded `seed`."""
        digest = hashlib.sha256(f"simulate/{seed}/{run_id}".encode()).digest()
        run = int.from_bytes(digest[:8], "big")
        self._high = uuid.UUID(int=run << 64, version=4).int >> 64

    def make(self, pupil: int, sequence: int) -> str:
        """The id of the `sequence`-th event of the run, about `pupil`."""
        low = (pupil << _SEQUENCE_BITS) | sequence
        return str(uuid.UUID(int=(self._high << 64) | low, version=4))

    def pupil_of(self, event_id: object) -> int | None:
        """The pupil of one of this run's event ids; None for any other id."""
        try:
            value = uuid.UUID(str(event_id)).int
        except ValueError:
            return None
        if value >> 64 != self._high:
            return None
        return (value >> _SEQUENCE_BITS) & ((1 << _PUPIL_BITS) - 1)
