"""JSON documents to Avro-ready records, through the models generated from schemas/."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from schemas.agency_fields import AgencyField, agency_fields
from schemas.catalogue import Catalogue
from schemas.exceptions import EventValidationError
from schemas.models.index import EVENT_MODELS
from services.sdk.publishable import publishable_event_types


def field_path(location: tuple[int | str, ...]) -> str:
    """A pydantic error location as a dotted field path (`source.agency`, `items.0`)."""
    return ".".join(str(part) for part in location) or "(event)"


class JsonEventParser:
    """Validates a JSON event against its generated model and returns the fastavro record."""

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        """Accept the publishable event types of `catalogue`."""
        catalogue = catalogue or Catalogue.load()
        self._allowed = publishable_event_types(catalogue)
        self._agency_fields = {
            event_type: agency_fields(catalogue.definition(event_type))
            for event_type in self._allowed
        }

    def agency_fields(self, document: Mapping[str, Any]) -> tuple[AgencyField, ...]:
        """The fields naming an agency in the document's event type (none for an unknown type)."""
        return self._agency_fields.get(str(document.get("event_type")), ())

    def __call__(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """Return the record, or raise `EventValidationError` naming the field and the rule."""
        event_type = document.get("event_type")
        if not isinstance(event_type, str) or event_type not in self._allowed:
            raise EventValidationError(
                "event_type",
                f"{event_type!r} is not an event type agencies publish "
                f"(one of: {', '.join(sorted(self._allowed))})",
            )
        try:
            model = EVENT_MODELS[event_type].model_validate(document)
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            raise EventValidationError(field_path(first["loc"]), first["msg"]) from None
        return model.to_record()
