"""The one place the thresholds domain reads fields of an event dict.

Events are plain dicts as fastavro decodes them (docs/architecture.md): the
envelope, then the event's own fields. When `schemas/` settles a field name,
only this module changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from services.thresholds.domain.exceptions import EventFieldError

Event = Mapping[str, Any]
_T = TypeVar("_T")

ATTENDANCE_MARKED: Final = "AttendanceMarked"
SUSPENSION_ISSUED: Final = "SuspensionIssued"
PERMANENT_EXCLUSION_ISSUED: Final = "PermanentExclusionIssued"
PUPIL_JOINED_ROLL: Final = "PupilJoinedRoll"
PUPIL_LEFT_ROLL: Final = "PupilLeftRoll"
DOMESTIC_ABUSE_INCIDENT_NOTIFIED: Final = "DomesticAbuseIncidentNotified"
CONCERN_RAISED: Final = "ConcernRaised"
MISSING_EPISODE_STARTED: Final = "MissingEpisodeStarted"
MISSING_PERSON_REPORTED: Final = "MissingPersonReported"
LEAD_PROFESSIONAL_ASSIGNED: Final = "LeadProfessionalAssigned"

# Plan and episode events: event type -> (plan kind, started?). Kinds: "cp" child
# protection plan, "cin" child in need plan, "lac" looked after.
PLAN_EVENTS: Final[Mapping[str, tuple[str, bool]]] = {
    "ChildProtectionPlanStarted": ("cp", True),
    "ChildProtectionPlanEnded": ("cp", False),
    "ChildInNeedPlanStarted": ("cin", True),
    "ChildInNeedPlanEnded": ("cin", False),
    "LookedAfterEpisodeStarted": ("lac", True),
    "LookedAfterEpisodeEnded": ("lac", False),
}
# Optional field on a plan-started event: after how many unexplained absence
# sessions the plan wants an alert (attendance expectations are set in the plan).
PLAN_ALERT_SESSIONS_FIELD: Final = "unexplained_absence_alert_sessions"


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


def _field(event: Event, name: str, kind: type[_T]) -> _T:
    value = event.get(name)
    if not isinstance(value, kind):
        raise EventFieldError(f"field {name!r} should be {kind.__name__}, got {type(value)!r}")
    return value


def _optional(event: Event, name: str, kind: type[_T]) -> _T | None:
    return None if event.get(name) is None else _field(event, name, kind)


def envelope(event: Event) -> Envelope:
    """The envelope of `event`; occurred_at must be an aware datetime."""
    occurred_at = _field(event, "occurred_at", dt.datetime)
    if occurred_at.tzinfo is None:
        raise EventFieldError("field 'occurred_at' must be timezone-aware")
    source = event.get("source")
    if not isinstance(source, Mapping):
        raise EventFieldError("field 'source' should be a mapping")
    return Envelope(
        event_id=_event_id(event),
        event_type=_field(event, "event_type", str),
        child_ref=_field(event, "child_ref", str),
        agency=_field(source, "agency", str),
        occurred_at=occurred_at,
    )


def _event_id(event: Event) -> str:
    """The event id as text (fastavro reads a uuid logical type as uuid.UUID)."""
    value = event.get("event_id")
    if isinstance(value, uuid.UUID):
        return str(value)
    return _field(event, "event_id", str)


def attendance_mark(event: Event) -> AttendanceMark:
    """The register mark of an AttendanceMarked event."""
    session = _field(event, "session", str)
    if session not in {"AM", "PM"}:
        raise EventFieldError(f"field 'session' should be AM or PM, got {session!r}")
    return AttendanceMark(
        date=_field(event, "session_date", dt.date),
        pm=session == "PM",
        code=_field(event, "register_code", str),
        school=_field(event, "school", str),
    )


def exclusion(event: Event) -> Exclusion:
    """The suspension or permanent exclusion carried by the event."""
    permanent = event.get("event_type") == PERMANENT_EXCLUSION_ISSUED
    return Exclusion(
        start_date=_field(event, "start_date", dt.date),
        length_days=0 if permanent else _days_of(_field(event, "length_sessions", int)),
        school=_field(event, "school", str),
        permanent=permanent,
    )


def _days_of(sessions: int) -> int:
    """School days a suspension of `sessions` half-day sessions touches (two a day)."""
    return (sessions + 1) // 2


def roll_school(event: Event) -> str:
    """The school of a PupilJoinedRoll or PupilLeftRoll event."""
    return _field(event, "school", str)


def roll_destination(event: Event) -> str | None:
    """Where a pupil who left the roll went ("unknown" possible); None if not given."""
    return _optional(event, "destination", str)


def incident_at(event: Event) -> dt.datetime | None:
    """When a notified domestic abuse incident happened (aware), if given."""
    return _optional(event, "incident_at", dt.datetime)


def incident_school(event: Event) -> str | None:
    """The school to notify of a domestic abuse incident; None when the child has none."""
    return _optional(event, "school", str)


def plan_alert_sessions(event: Event) -> int | None:
    """Sessions of unexplained absence after which a plan wants an alert, if it says."""
    return _optional(event, PLAN_ALERT_SESSIONS_FIELD, int)
