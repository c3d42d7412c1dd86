"""Events as an agency system POSTs them to the gateway: JSON, valid unless changed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any


def attendance_json(agency: str = "school-100001", **changes: Any) -> dict[str, Any]:
    """A valid AttendanceMarked from `agency`; a change to `...` leaves that field out."""
    now = datetime.now(UTC) - timedelta(hours=1)
    event = {
        "event_id": str(uuid.uuid4()),
        "event_type": "AttendanceMarked",
        "occurred_at": now.isoformat(),
        "recorded_at": now.isoformat(),
        "source": {"agency": agency, "system": "sims", "practitioner_role": None},
        "child_ref": "cr1_" + "a" * 32,
        "school": agency,
        "session_date": (now.date() - timedelta(days=1)).isoformat(),
        "session": "AM",
        "register_code": "N",
    }
    return {name: value for name, value in (event | changes).items() if value is not ...}


def incident_json(agency: str = "police-west", **changes: Any) -> dict[str, Any]:
    """A valid DomesticAbuseIncidentNotified from `agency`, for the school in `school`."""
    now = datetime.now(UTC) - timedelta(hours=1)
    event = {
        "event_id": str(uuid.uuid4()),
        "event_type": "DomesticAbuseIncidentNotified",
        "occurred_at": now.isoformat(),
        "recorded_at": now.isoformat(),
        "source": {"agency": agency, "system": "niche", "practitioner_role": None},
        "child_ref": "cr1_" + "b" * 32,
        "incident_at": now.isoformat(),
        "child_present": True,
        "circumstances": "Officers attended a verbal argument; the child was upstairs.",
        "school": "school-100001",
        "police_reference": "WP-2025-0001",
        "officer_contact": "mash.police@west.example.police.uk",
    }
    return {name: value for name, value in (event | changes).items() if value is not ...}
