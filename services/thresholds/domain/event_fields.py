"""Read the fields the threshold rules use from an event dict.

Events are plain dicts as fastavro decodes them (docs/architecture.md): the
envelope, then the event's own fields. Which field holds what, per event type,
is the table of event types (schemas/processing.py); this module only checks
types and turns values into what the rules need.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from schemas.processing import PROCESSING, EventProcessing, Role
from services.thresholds.domain.exceptions import EventFieldError

Event = Mapping[str, Any]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Envelope:
    """The envelope fields the rules use."""

    event_id: str
    event_type: str
    child_ref: str
    agency: str
    occurred_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AttendanceMark:
    """One register mark: date, session (pm False for AM), code, school agency id."""

    date: dt.date
    pm: bool
    code: str
    school: str


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A suspension or permanent exclusion from `start_date` for `length_days` school days.

    A permanent exclusion has no length (0).
    """

    start_date: dt.date
    length_days: int
    school: str
    permanent: bool


def row_of(event: Event) -> EventProcessing:
    """The table row of the event's type; KeyError when no processor reads that type."""
    return PROCESSING[event["event_type"]]


def _value(event: Event, name: str, kind: type[_T]) -> _T:
    value = event.get(name)
    if not isinstance(value, kind):
        raise EventFieldError(f"field {name!r} should be {kind.__name__}, got {type(value)!r}")
    return value


def _field(event: Event, row: EventProcessing, role: Role, kind: type[_T]) -> _T:
    return _value(event, row.name(role), kind)


def _optional(event: Event, role: Role, kind: type[_T]) -> _T | None:
    """The value in the field of `role`; None when absent or the event type has no such field."""
    name = row_of(event).fields.get(role)
    return None if name is None or event.get(name) is None else _value(event, name, kind)


def envelope(event: Event) -> Envelope:
    """The envelope of `event`; occurred_at must be an aware datetime."""
    occurred_at = _value(event, "occurred_at", dt.datetime)
    if occurred_at.tzinfo is None:
        raise EventFieldError("field 'occurred_at' must be timezone-aware")
    source = event.get("source")
    if not isinstance(source, Mapping):
        raise EventFieldError("field 'source' should be a mapping")
    return Envelope(
        event_id=_event_id(event),
        event_type=_value(event, "event_type", str),
        child_ref=_value(event, "child_ref", str),
        agency=_value(source, "agency", str),
        occurred_at=occurred_at,
    )


def _event_id(event: Event) -> str:
    """The event id as text (fastavro reads a uuid logical type as uuid.UUID)."""
    value = event.get("event_id")
    if isinstance(value, uuid.UUID):
        return str(value)
    return _value(event, "event_id", str)


def attendance_mark(event: Event) -> AttendanceMark:
    """The register mark of a register-mark event (AttendanceMarked)."""
    row = row_of(event)
    name = row.name("session")
    session = _value(event, name, str)
    if session not in {"AM", "PM"}:
        raise EventFieldError(f"field {name!r} should be AM or PM, got {session!r}")
    return AttendanceMark(
        date=_field(event, row, "session-date", dt.date),
        pm=session == "PM",
        code=_field(event, row, "register-code", str),
        school=_field(event, row, "school", str),
    )


def exclusion(event: Event) -> Exclusion:
    """The suspension or permanent exclusion carried by the event."""
    row = row_of(event)
    permanent = row.reading == "permanent-exclusion"
    return Exclusion(
        start_date=_field(event, row, "start-date", dt.date),
        length_days=0 if permanent else _days_of(_field(event, row, "length-sessions", int)),
        school=_field(event, row, "school", str),
        permanent=permanent,
    )


def _days_of(sessions: int) -> int:
    """School days a suspension of `sessions` half-day sessions touches (two a day)."""
    return (sessions + 1) // 2


def roll_school(event: Event) -> str:
    """The school of an event starting or ending a place on a school roll."""
    return _field(event, row_of(event), "school", str)


def roll_destination(event: Event) -> str | None:
    """Where a pupil who left the roll went ("unknown" possible); None if not given."""
    return _optional(event, "destination", str)


def incident_at(event: Event) -> dt.datetime | None:
    """When a notified domestic abuse incident happened (aware), if given."""
    return _optional(event, "incident-at", dt.datetime)


def incident_school(event: Event) -> str | None:
    """The school to notify of a domestic abuse incident; None when the child has none."""
    return _optional(event, "school", str)


def plan_alert_sessions(event: Event) -> int | None:
    """Sessions of unexplained absence after which a plan wants an alert, if it says."""
    return _optional(event, "alert-sessions", int)
