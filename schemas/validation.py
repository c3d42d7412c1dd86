"""Semantic validation of an event dict: Avro types, then the contract's own rules.

Rules beyond Avro types: codes are in their code lists, dates and timestamps
are not in the future (unless the field allows it), the envelope is sane (a
UUID event id, the schema's event type, a valid agency id, a child_ref of the
one strict form on every event about a child, a correlation_id where the
schema requires one), and fields naming an agency
name the right one (`x-agency`, schemas/agency_fields.py): a `publisher` field
is the event's own source.agency; an `other` field is an agency of the
directory, when the validator is given one. Every failure raises
`EventValidationError(field, rule)`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Container, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from fastavro.validation import validate as avro_validate

from schemas import codes
from schemas.agency_fields import PUBLISHER_RULE, UNKNOWN_AGENCY_RULE, AgencyField, agency_fields
from schemas.catalogue import Catalogue
from schemas.child_ref import CHILD_REF_RULE, is_child_ref
from schemas.exceptions import EventValidationError
from schemas.rules import (
    AGENCY_ID_PATTERN,
    CORRELATION_REQUIRED,
    CORRELATION_RULE,
    FieldRule,
    field_rules,
)

# School days and register dates are English local dates.
LOCAL_ZONE: Final = "Europe/London"
CLOCK_SKEW: Final = timedelta(minutes=5)
_AGENCY_ID: Final = re.compile(AGENCY_ID_PATTERN)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int):
        return datetime.fromtimestamp(value / 1000, UTC)
    return None


class EventValidator:
    """Validates event dicts against the catalogue; rules are computed once per event type."""

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        skew: timedelta = CLOCK_SKEW,
        known_agencies: Container[str] | None = None,
    ) -> None:
        """Use `catalogue` (default: the repository's) and `clock` for "not in the future".

        `known_agencies`: the agency directory `other` agency fields must name
        an agency of; None leaves them to the format check alone.
        """
        self._catalogue = catalogue or Catalogue.load()
        self._clock = clock
        self._skew = skew
        self._known_agencies = known_agencies
        self._rules: dict[str, tuple[FieldRule, ...]] = {}
        self._agency_fields: dict[str, tuple[AgencyField, ...]] = {}

    def _rules_for(self, event_type: str) -> tuple[FieldRule, ...]:
        rules = self._rules.get(event_type)
        if rules is None:
            rules = field_rules(self._catalogue.definition(event_type))
            self._rules[event_type] = rules
        return rules

    def validate(self, event: Mapping[str, Any], *, event_type: str | None = None) -> None:
        """Raise `EventValidationError` unless `event` keeps every rule of its schema.

        The schema is the one named by `event_type`, by default the event's own
        `event_type` field (wrappers such as a view record name another type there).
        """
        event_type = event_type or event.get("event_type")
        if not isinstance(event_type, str) or event_type not in self._catalogue:
            raise EventValidationError("event_type", f"{event_type!r} is not a known event type")
        rules = self._rules_for(event_type)
        self._check_shape(event, event_type, rules)
        now = self._clock()
        self._check_envelope(event, event_type, now)
        for rule in rules:
            value = event.get(rule.name)
            if value is not None:
                self._check_field(rule, value, now)
        self._check_agencies(event, event_type)

    def agency_fields(self, event_type: str) -> tuple[AgencyField, ...]:
        """The fields of `event_type` that name an agency (computed once per type)."""
        found = self._agency_fields.get(event_type)
        if found is None:
            found = agency_fields(self._catalogue.definition(event_type))
            self._agency_fields[event_type] = found
        return found

    def _check_agencies(self, event: Mapping[str, Any], event_type: str) -> None:
        publisher = event["source"]["agency"]
        for field in self.agency_fields(event_type):
            for agency in field.agencies_in(event):
                if field.role == "publisher" and agency != publisher:
                    raise EventValidationError(field.name, PUBLISHER_RULE)
                if (
                    field.role == "other"
                    and self._known_agencies is not None
                    and agency not in self._known_agencies
                ):
                    raise EventValidationError(field.name, UNKNOWN_AGENCY_RULE)

    def _check_shape(
        self, event: Mapping[str, Any], event_type: str, rules: tuple[FieldRule, ...]
    ) -> None:
        names = {rule.name for rule in rules}
        for rule in rules:
            if rule.required and rule.name not in event:
                raise EventValidationError(rule.name, "is required")
        for name in event:
            if name not in names:
                raise EventValidationError(str(name), f"is not a field of {event_type}")
        parsed = self._catalogue.schema(event_type)
        if avro_validate(event, parsed, raise_errors=False):
            return
        for field in parsed["fields"]:
            value = event.get(field["name"], field.get("default"))
            if not avro_validate(value, field["type"], raise_errors=False):
                raise EventValidationError(field["name"], f"{value!r} does not match its Avro type")
        raise EventValidationError(event_type, "does not match its Avro schema")

    def _check_envelope(self, event: Mapping[str, Any], event_type: str, now: datetime) -> None:
        event_id = event["event_id"]
        if not isinstance(event_id, uuid.UUID):
            try:
                uuid.UUID(event_id)
            except ValueError:
                raise EventValidationError("event_id", "must be a UUID") from None
        agency = event["source"]["agency"]
        if not _AGENCY_ID.fullmatch(agency):
            raise EventValidationError(
                "source.agency", "must be an agency id (lower-case letters, digits, hyphens)"
            )
        self._check_child_ref(event["child_ref"], event_type)
        if self._catalogue.definition(event_type).get(CORRELATION_REQUIRED) and not event.get(
            "correlation_id"
        ):
            raise EventValidationError("correlation_id", CORRELATION_RULE)
        occurred, recorded = _as_utc(event["occurred_at"]), _as_utc(event["recorded_at"])
        if occurred is None or recorded is None:
            raise EventValidationError("occurred_at", "must be a timestamp")
        if occurred > recorded + self._skew:
            raise EventValidationError("occurred_at", "must not be later than recorded_at")
        if recorded > now + self._skew:
            raise EventValidationError("recorded_at", "must not be in the future")

    def _check_child_ref(self, child_ref: str, event_type: str) -> None:
        child_scoped = self._catalogue.definition(event_type).get("x-child-scoped", True)
        if not child_scoped:
            if child_ref:
                raise EventValidationError(
                    "child_ref", f"must be empty: {event_type} is not about a child"
                )
            return
        if not is_child_ref(child_ref):
            raise EventValidationError("child_ref", CHILD_REF_RULE)

    def _check_field(self, rule: FieldRule, value: Any, now: datetime) -> None:
        items = value if isinstance(value, list) else [value]
        if rule.min_items is not None and len(items) < rule.min_items:
            raise EventValidationError(rule.name, f"needs at least {rule.min_items} item(s)")
        if rule.max_items is not None and len(items) > rule.max_items:
            raise EventValidationError(rule.name, f"allows at most {rule.max_items} item(s)")
        for item in items:
            if rule.code_list is not None and not codes.is_known(rule.code_list, item):
                raise EventValidationError(
                    rule.name, f"{item!r} is not in the {rule.code_list} code list (schemas/codes)"
                )
            if rule.value_format is not None:
                _check_format(rule.name, rule.value_format, item)
        if rule.time_kind is not None and not rule.future_allowed:
            self._check_not_future(rule.name, value, now)

    def _check_not_future(self, name: str, value: Any, now: datetime) -> None:
        if isinstance(value, (datetime, int)):
            moment = _as_utc(value)
            if moment is not None and moment > now + self._skew:
                raise EventValidationError(name, "must not be in the future")
        elif (
            isinstance(value, date)
            and value > (now + self._skew).astimezone(ZoneInfo(LOCAL_ZONE)).date()
        ):
            raise EventValidationError(name, "must not be in the future (England local date)")


def _check_format(name: str, value_format: str, value: Any) -> None:
    if value_format == "agency-id" and not _AGENCY_ID.fullmatch(value):
        raise EventValidationError(
            name, "must be an agency id (lower-case letters, digits, hyphens)"
        )
    if value_format == "json":
        try:
            json.loads(value)
        except ValueError:
            raise EventValidationError(name, "must be a JSON document") from None


def validate_event(event: Mapping[str, Any], catalogue: Catalogue | None = None) -> None:
    """Validate one event with a fresh validator (use `EventValidator` on hot paths)."""
    EventValidator(catalogue).validate(event)
