"""What the consent domain needs to know about an event (built by the router)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from schemas import envelope
from schemas.processing import PROCESSING

DataClass = Literal["identifying", "special-category", "contact", "operational"]
DATA_CLASSES: tuple[DataClass, ...] = ("identifying", "special-category", "contact", "operational")

# The envelope's operational fields (schemas/envelope.py): every permit carries
# them. `child_ref` is not among them: it is `identifying` and is disclosed only
# when the agreement allows that class or names the field.
ENVELOPE_OPERATIONAL_FIELDS: Final = envelope.ENVELOPE_OPERATIONAL_FIELDS


@dataclass(frozen=True, slots=True)
class EventFacts:
    """The facts of one event a disclosure decision reads.

    `field_classes` maps each top-level field of the event's schema to its
    data class (the catalogue's `field_classes(event_type)`); the router
    passes the same mapping object for every event of a type. `referrer` is
    the agency the event names as the maker of the referral it is about (the
    field of role "referrer" in schemas/processing.py), when it names one.
    """

    event_type: str
    provider: str
    provider_kind: str
    child_ref: str
    occurred_at: datetime
    field_classes: Mapping[str, str]
    referrer: str | None = None

    @classmethod
    def from_event(
        cls, event: Mapping[str, Any], *, provider_kind: str, field_classes: Mapping[str, str]
    ) -> EventFacts:
        """Take the facts from a decoded event dict (the envelope of docs/architecture.md)."""
        row = PROCESSING.get(event["event_type"])
        referrer_field = row.fields.get("referrer") if row is not None else None
        return cls(
            event_type=event["event_type"],
            provider=event["source"]["agency"],
            provider_kind=provider_kind,
            child_ref=event["child_ref"],
            occurred_at=event["occurred_at"],
            field_classes=field_classes,
            referrer=event.get(referrer_field) if referrer_field is not None else None,
        )
