"""The event envelope, defined once: its fields in order, their data classes, its builder.

Every event schema starts with these fields in this order (docs/architecture.md,
"The event contract"); `schemas.layout` checks each .avsc file against them,
the generated models inherit them (`schemas.models.base.EventModel`), and every
event the project publishes itself gets its envelope from `envelope()`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, TypedDict

# (name, x-data-class) of each envelope field, in schema order. Only child_ref
# (pseudonymous) is identifying: a disclosure carries the rest unasked.
ENVELOPE_FIELDS: Final = (
    ("event_id", "operational"),
    ("event_type", "operational"),
    ("occurred_at", "operational"),
    ("recorded_at", "operational"),
    ("source", "operational"),
    ("child_ref", "identifying"),
    ("correlation_id", "operational"),
)
ENVELOPE_NAMES: Final = tuple(name for name, _ in ENVELOPE_FIELDS)
ENVELOPE_NAME_SET: Final = frozenset(ENVELOPE_NAMES)
ENVELOPE_CLASSES: Final[Mapping[str, str]] = MappingProxyType(dict(ENVELOPE_FIELDS))
ENVELOPE_OPERATIONAL_FIELDS: Final = frozenset(
    name for name, data_class in ENVELOPE_FIELDS if data_class == "operational"
)


class SourceRecord(TypedDict):
    """The envelope's `source` (uk.joinedup.common.Source) as fastavro writes it."""

    agency: str
    system: str
    practitioner_role: str | None


def published_by(agency: str, system: str, practitioner_role: str | None = None) -> SourceRecord:
    """Who publishes an event: the `source` an envelope carries."""
    return {"agency": agency, "system": system, "practitioner_role": practitioner_role}


def envelope(  # noqa: PLR0913 - one argument per envelope field
    event_type: str,
    *,
    event_id: uuid.UUID | str | None = None,
    occurred_at: datetime | int,
    recorded_at: datetime | int,
    source: SourceRecord,
    child_ref: str,
    correlation_id: str | None = None,
) -> dict[str, Any]:
    """The envelope of one event as the dict fastavro writes; the caller adds the event's fields.

    Values are kept as given (a UUID or its string, an aware datetime or epoch
    millis), so a caller holding wire-ready values converts nothing; `event_id`
    left out is a new random UUID.
    """
    return {
        "event_id": uuid.uuid4() if event_id is None else event_id,
        "event_type": event_type,
        "occurred_at": occurred_at,
        "recorded_at": recorded_at,
        "source": source,
        "child_ref": child_ref,
        "correlation_id": correlation_id,
    }
