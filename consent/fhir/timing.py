"""The times of a FHIR Consent: the directive's period, and the times the document states.

A directive is ordered by when the consent service received it, never by a
time the document gives: a document's own times are kept as `stated_at` and
each one is refused when it lies in the future (beyond the bus's clock skew),
because a future-dated consent is either wrong or an attempt to outrank
withdrawals still to come.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from consent.fhir import terms
from consent.fhir.problems import Problems
from consent.fhir.reading import extension_value
from schemas.validation import CLOCK_SKEW, LOCAL_ZONE

# FHIR date: YYYY, YYYY-MM or YYYY-MM-DD (https://hl7.org/fhir/R5/datatypes.html#date).
_PARTIAL_DATE: Final = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_FUTURE: Final = (
    f"lies in the future (more than {int(CLOCK_SKEW.total_seconds() // 60)} minutes after "
    "the consent service's clock); a consent cannot be dated after it is received"
)


def moment(value: Any, path: str, problems: Problems) -> datetime | None:
    """A full date-time with a time zone, or None (and a problem)."""
    if not isinstance(value, str):
        problems.add(path, "missing")
        return None
    try:
        parsed = datetime.fromisoformat(value) if "T" in value else None
    except ValueError:
        parsed = None
    if parsed is None:
        problems.add(path, "must be a full date-time (YYYY-MM-DDThh:mm:ss+zz:zz)")
        return None
    if parsed.tzinfo is None:
        problems.add(path, "must carry a time zone")
        return None
    return parsed


def period(value: Any, path: str, problems: Problems) -> dict[str, datetime | None] | None:
    """The directive's period: a start, and an end after it when given."""
    found = value if isinstance(value, Mapping) else {}
    start = moment(found.get("start"), f"{path}.start", problems)
    end = None
    if found.get("end") is not None:
        end = moment(found.get("end"), f"{path}.end", problems)
        if start is not None and end is not None and end <= start:
            problems.add(f"{path}.end", "must be after the start")
            return None
    return None if start is None else {"start": start, "end": end}


def stated_at(
    raw: Mapping[str, Any], received_at: datetime, problems: Problems, *, r4: bool
) -> datetime | None:
    """The time the document gives for the consent, or None when it gives none.

    Each time it states is refused when it lies in the future.
    """
    limit = received_at + CLOCK_SKEW
    stated: list[datetime | date | None] = []
    timed = [
        ("Consent.extension(stated-at)", terms.STATED_AT_EXTENSION),
        ("Consent.extension(recorded-at)", terms.RECORDED_AT_EXTENSION),
    ]
    for path, url in timed:
        value = extension_value(raw, url, "valueDateTime", problems)
        if value is not None:
            stated.append(_checked(moment(value, path, problems), limit, path, problems))
    element = "dateTime" if r4 else "date"
    value = raw.get(element)
    if isinstance(value, str):
        path = f"Consent.{element}"
        stated.append(_checked(_document_time(value, path, problems), limit, path, problems))
    instants = [when for when in stated if isinstance(when, datetime)]
    return instants[0] if instants else None


def _checked(
    when: datetime | date | None, limit: datetime, path: str, problems: Problems
) -> datetime | date | None:
    """`when`, or None (and a problem) when it lies in the future."""
    if when is None:
        return None
    if isinstance(when, datetime):
        late = when > limit
    else:  # a date: the earliest day it names, against today's English date
        late = when > limit.astimezone(ZoneInfo(LOCAL_ZONE)).date()
    if late:
        problems.add(path, _FUTURE)
        return None
    return when


def _document_time(value: str, path: str, problems: Problems) -> datetime | date | None:
    """A FHIR dateTime or date, perhaps partial (a partial one is its first day)."""
    if "T" in value:
        return moment(value, path, problems)
    match = _PARTIAL_DATE.fullmatch(value)
    try:
        if match is not None:
            year, month, day = (int(part or 1) for part in match.groups())
            return date(year, month, day)
    except ValueError:
        pass
    problems.add(path, "must be a FHIR date or dateTime")
    return None
