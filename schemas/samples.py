"""Valid sample events for any event type, for tests, the simulator and the demo.

`sample_event("AttendanceMarked")` walks the event's schema and fills every
field with a value that passes `schemas.validation`: codes from the code
lists, agency ids from the demo deployment (a field that must name the
publisher names the event's source.agency), times just before `now`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from schemas import codes
from schemas.agency_fields import agency_fields
from schemas.catalogue import Catalogue
from schemas.rules import CORRELATION_REQUIRED

SAMPLE_AGENCY: Final = "school-100001"
SAMPLE_CHILD_REF: Final = "cr1_sample" + "a" * 26
# Codes that make a realistic sample (the first code of a list is not always one).
_PREFERRED_CODES: Final = {
    codes.ATTENDANCE_REGISTER: "N",
    codes.CONCERN_CATEGORY: "neglect",
    codes.REFERRAL_REASON: "early-help-appropriate",
    codes.THRESHOLD_LEVEL: "level-2",
}


def _whole_millis(moment: datetime) -> datetime:
    """Avro timestamp-millis keeps milliseconds only; samples survive a round trip unchanged."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class _Filler:
    def __init__(self, now: datetime) -> None:
        self.moment = _whole_millis(now - timedelta(hours=1))
        self.day = (now - timedelta(days=1)).date()

    def field(self, field: Mapping[str, Any]) -> Any:
        avro_type = field["type"]
        if isinstance(avro_type, list):
            avro_type = next(branch for branch in avro_type if branch != "null")
        code_list = field.get("x-code-list")
        value_format = field.get("x-format")
        if code_list is not None:
            code = _PREFERRED_CODES.get(code_list) or next(iter(codes.code_list(code_list).codes))
            return [code] if _is_array(avro_type) else code
        if value_format == "agency-id":
            return [SAMPLE_AGENCY] if _is_array(avro_type) else SAMPLE_AGENCY
        if value_format == "json":
            return "{}"
        return self.value(avro_type, field["name"])

    def value(self, avro_type: Any, name: str) -> Any:  # noqa: PLR0911 - one branch per Avro type
        if isinstance(avro_type, dict):
            logical = avro_type.get("logicalType")
            kind = avro_type["type"]
            if logical == "uuid":
                return uuid.uuid4()
            if logical == "timestamp-millis":
                return self.moment
            if logical == "date":
                return self.day
            if kind == "enum":
                return avro_type.get("default") or avro_type["symbols"][0]
            if kind == "array":
                return [self.value(avro_type["items"], name)]
            if kind == "record":
                return {field["name"]: self.field(field) for field in avro_type["fields"]}
            return self.value(kind, name)
        return {
            "string": f"sample {name.replace('_', ' ')}",
            "int": 1,
            "long": 1,
            "boolean": True,
            "double": 1.0,
            "float": 1.0,
            "bytes": b"",
        }[avro_type]


def _is_array(avro_type: Any) -> bool:
    return isinstance(avro_type, dict) and avro_type.get("type") == "array"


def sample_event(
    event_type: str,
    *,
    child_ref: str = SAMPLE_CHILD_REF,
    now: datetime | None = None,
    catalogue: Catalogue | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Build a valid event dict of `event_type`; `overrides` replace top-level fields."""
    catalogue = catalogue or Catalogue.load()
    definition = catalogue.definition(event_type)
    filler = _Filler(now or datetime.now(UTC))
    event = {field["name"]: filler.field(field) for field in definition["fields"]}
    event["event_type"] = event_type
    event["child_ref"] = child_ref if definition.get("x-child-scoped", True) else ""
    event["recorded_at"] = filler.moment
    event["correlation_id"] = str(uuid.uuid4()) if definition.get(CORRELATION_REQUIRED) else None
    event.update(overrides)
    for field in agency_fields(definition):
        [name, *nested] = field.path
        if field.role == "publisher" and not nested and name not in overrides:
            event[name] = event["source"]["agency"]
    return event


def sample_date(days_ago: int = 1) -> date:
    """A date `days_ago` days before today (UTC): safely not in the future."""
    return datetime.now(UTC).date() - timedelta(days=days_ago)
