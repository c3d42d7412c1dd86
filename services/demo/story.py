"""The demo's story: two children, five agencies, a fortnight of the autumn term.

Amy is on roll at Northgate; she misses a session, social care opens a
child-protection plan, she misses another, and police attend a domestic
abuse incident at home on a Saturday night. Ben is at Riverside; his school
raises a concern (shared with early help only once his family consents),
and police report him missing. Each step is what one agency's system
publishes; raw NHS numbers go to the gateway and stop there. Every run gives
the children new NHS numbers, so each run tells the story from its start.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from services.identity.domain.nhs_number import nhs_check_digit


@dataclass(frozen=True)
class Step:
    """One agency publishes one event about one of the story's children."""

    label: str
    agency: str
    event_type: str
    child: str
    fields: dict[str, Any] = field(default_factory=dict)
    at: datetime = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def new_nhs_numbers(names: tuple[str, ...], rng: random.Random) -> dict[str, str]:
    """A valid (mod-11) NHS number for each child, new on every run."""
    numbers: dict[str, str] = {}
    while len(numbers) < len(names):
        stem = f"{rng.randrange(400_000_000, 999_999_999):09d}"
        check = nhs_check_digit(stem)
        if check is not None:
            numbers[names[len(numbers)]] = f"{stem}{check}"
    return numbers


def _at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


STORY: Final = (
    Step(
        "Amy joins Northgate",
        "school-100001",
        "PupilJoinedRoll",
        "Amy",
        {
            "school": "school-100001",
            "joined_on": date(2026, 9, 2),
            "year_group": "7",
            "previous_school": None,
        },
        _at(2),
    ),
    Step(
        "Ben joins Riverside",
        "school-100002",
        "PupilJoinedRoll",
        "Ben",
        {
            "school": "school-100002",
            "joined_on": date(2026, 9, 2),
            "year_group": "8",
            "previous_school": None,
        },
        _at(2),
    ),
    Step(
        "Amy absent, reason not known",
        "school-100001",
        "AttendanceMarked",
        "Amy",
        {
            "school": "school-100001",
            "session_date": date(2026, 11, 16),
            "session": "AM",
            "register_code": "N",
            "minutes_late": None,
        },
        _at(16),
    ),
    Step(
        "Social care opens a CP plan for Amy",
        "la-social-care",
        "ChildProtectionPlanStarted",
        "Amy",
        {"start_date": date(2026, 11, 16), "category": "NEG"},
        _at(16, 15),
    ),
    Step(
        "Amy absent again",
        "school-100001",
        "AttendanceMarked",
        "Amy",
        {
            "school": "school-100001",
            "session_date": date(2026, 11, 17),
            "session": "AM",
            "register_code": "N",
            "minutes_late": None,
        },
        _at(17),
    ),
    Step(
        "Police attend a domestic abuse incident (Amy present)",
        "police-west",
        "DomesticAbuseIncidentNotified",
        "Amy",
        {
            "incident_at": _at(21, 22, 10),
            "child_present": True,
            "circumstances": "Verbal altercation between adults; child upstairs.",
            "school": "school-100001",
            "police_reference": "WP-2026-118833",
            "officer_contact": "PC 4411, 01234 567890",
        },
        _at(21, 23, 30),
    ),
    Step(
        "Riverside raises a concern about Ben",
        "school-100002",
        "ConcernRaised",
        "Ben",
        {
            "concern_category": "neglect",
            "summary": "Arrives hungry most mornings; uniform unwashed.",
        },
        _at(18, 11),
    ),
    Step(
        "Police report Ben missing",
        "police-west",
        "MissingPersonReported",
        "Ben",
        {
            "reported_at": _at(19, 21),
            "risk_level": "medium",
            "police_reference": "WP-2026-118901",
            "officer_contact": "PC 2207",
        },
        _at(19, 21, 30),
    ),
)

# After the consent officer records Ben's family's consent to early help:
AFTER_CONSENT: Final = (
    Step(
        "Riverside raises a second concern about Ben",
        "school-100002",
        "ConcernRaised",
        "Ben",
        {"concern_category": "neglect", "summary": "Missed lunch three days running."},
        _at(20, 12),
    ),
)
