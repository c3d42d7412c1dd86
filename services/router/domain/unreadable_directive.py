"""What the router makes of a consent directive it cannot read: a standing objection.

A ConsentDirectiveRecorded whose payload this router cannot validate (written
by a newer consent service with a field this version does not know, or
damaged) may have been a withdrawal or an objection. Dropping it would share
what the child or parent refused, so the router fails closed: it records, in
the directive's place, an objection to every purpose and every recipient, for
all time, recorded when the unreadable one was. Only a safeguarding legal
basis overrides it (consent/decision.py), each such permit says so
(`override`), and the directive itself goes to the dead letter for the
operators. A readable later version of the same directive id replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from consent.domain.directive import ConsentDirective, RecordedBy
from consent.domain.period import Period

FAIL_SAFE_ROLE: Final = "router-fail-safe"
ALL_TIME: Final = datetime(1970, 1, 1, tzinfo=UTC)
_DIRECTIVE_ID: Final = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
NOTE: Final = (
    "the directive recorded here could not be read by this router; it stands as an "
    "objection to every purpose and recipient until a readable version replaces it"
)


def standing_objection(event: Mapping[str, Any], child_ref: str) -> ConsentDirective:
    """The objection recorded for `child_ref` in place of the unreadable directive `event`."""
    named = str(event.get("directive_id") or "")
    directive_id = named if _DIRECTIVE_ID.match(named) else f"unreadable.{event['event_id']}"
    recorded_at = event["recorded_at"]
    if not isinstance(recorded_at, datetime) or recorded_at.tzinfo is None:
        recorded_at = datetime.now(UTC)
    return ConsentDirective(
        id=directive_id[:64],
        child_ref=child_ref,
        kind="objection",
        period=Period(start=ALL_TIME),
        recorded_by=RecordedBy(role=FAIL_SAFE_ROLE, agency=str(event["source"]["agency"])),
        recorded_at=recorded_at,
        note=NOTE,
    )
