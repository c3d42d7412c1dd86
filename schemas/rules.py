"""Per-field rules beyond Avro types, read once from a schema's custom properties.

Properties a field may carry in its .avsc file:
`x-code-list` (value, or every item, must be in that code list), `x-format`
(`agency-id` or `json`), `x-min-items` / `x-max-items` (array length),
`x-future-allowed` (a date or timestamp field that may lie in the future).
A record may carry `"x-child-scoped": false` when it is not about one child, and
`"x-correlation-required": true` when its envelope's correlation_id must be set
(the referral loop: the referral's id ties its events together).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

TimeKind = Literal["date", "timestamp"]

# Same rule as services/bus/topics.py (the source of truth for agency ids); the
# contract package may not import the bus, so the pattern is repeated here.
AGENCY_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
CORRELATION_REQUIRED = "x-correlation-required"
CORRELATION_RULE = "is required for this event type: it carries the referral's id"


@dataclass(frozen=True, slots=True)
class FieldRule:
    """What the semantic validation checks for one top-level field."""

    name: str
    required: bool
    nullable: bool
    code_list: str | None
    value_format: str | None
    min_items: int | None
    max_items: int | None
    time_kind: TimeKind | None
    future_allowed: bool


def _branches(avro_type: Any) -> list[Any]:
    return avro_type if isinstance(avro_type, list) else [avro_type]


def _time_kind(avro_type: Any) -> TimeKind | None:
    for branch in _branches(avro_type):
        if isinstance(branch, dict):
            logical = branch.get("logicalType")
            if logical == "date":
                return "date"
            if logical in {"timestamp-millis", "timestamp-micros"}:
                return "timestamp"
    return None


def field_rule(field: Mapping[str, Any]) -> FieldRule:
    """Build the rule of one field definition."""
    avro_type = field["type"]
    return FieldRule(
        name=field["name"],
        required="default" not in field,
        nullable="null" in _branches(avro_type),
        code_list=field.get("x-code-list"),
        value_format=field.get("x-format"),
        min_items=field.get("x-min-items"),
        max_items=field.get("x-max-items"),
        time_kind=_time_kind(avro_type),
        future_allowed=bool(field.get("x-future-allowed", False)),
    )


def field_rules(definition: Mapping[str, Any]) -> tuple[FieldRule, ...]:
    """Rules of every top-level field of a schema definition."""
    return tuple(field_rule(field) for field in definition["fields"])
