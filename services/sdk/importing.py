"""Import a school register (CSV) as AttendanceMarked events, through the gateway or Kafka.

Every row ends up accepted or rejected with its row number, field and rule;
rejected rows are never dropped (the CLI writes them to `<file>.rejected.csv`).
An event's id is derived from (importing agency, school, child_ref, date,
session, code, minutes late), and its body from the row alone (recorded_at is
the session's time, not the import's), so importing the same file twice
stores each mark once, and two agencies' marks never share an id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from pydantic import ValidationError

from schemas.exceptions import ContractError, EventValidationError
from schemas.models.common import Source
from schemas.models.education import AttendanceMarked
from schemas.validation import EventValidator
from services.sdk.attendance_csv import RegisterRow, RowProblem
from services.sdk.exceptions import IdentityLookupError, WrongAgencyError
from services.sdk.identity import IdentityClient

MARK_NAMESPACE: Final = uuid.UUID("5d7f3c2e-8a51-4f0b-9a57-1f2c9e0b6d41")
# Event fields named after the CSV column they came from, for row problems.
COLUMN_OF_FIELD: Final = {"session_date": "date", "register_code": "code", "school": "school"}


class EventSink(Protocol):
    """Where validated events go: returns (index in `events`, field, rule) for each refused."""

    async def send(self, events: Sequence[AttendanceMarked]) -> list[tuple[int, str, str]]:
        """Publish `events`; return the ones refused, publishing the rest."""
        ...


@dataclass
class ImportSummary:
    """What an import did with each row."""

    accepted: int = 0
    rejected: list[RowProblem] = field(default_factory=list)


def mark_event_id(agency: str, school: str, child_ref: str, row: RegisterRow) -> uuid.UUID:
    """The event id of a mark imported by `agency`: the same mark imported twice, the same id."""
    late = "" if row.minutes_late is None else str(row.minutes_late)
    mark = f"{row.session_date.isoformat()}|{row.session}|{row.code}|{late}"
    return uuid.uuid5(MARK_NAMESPACE, f"{agency}|{school}|{child_ref}|{mark}")


def attendance_event(
    row: RegisterRow, child_ref: str, agency: str, system: str, now: datetime
) -> AttendanceMarked:
    """The AttendanceMarked event of one register row.

    The register recorded the mark at the session: occurred_at and recorded_at
    are the session's time (now, for a session later today), so importing the
    row again makes the same event, which the gateway stores once.
    """
    school = row.school or agency
    moment = now.replace(microsecond=now.microsecond // 1000 * 1000)
    session_time = datetime(
        row.session_date.year,
        row.session_date.month,
        row.session_date.day,
        9 if row.session == "AM" else 13,
        tzinfo=UTC,
    )
    marked = min(session_time, moment)
    return AttendanceMarked(
        event_id=mark_event_id(agency, school, child_ref, row),
        occurred_at=marked,
        recorded_at=marked,
        source=Source(agency=agency, system=system, practitioner_role=None),
        child_ref=child_ref,
        school=school,
        session_date=row.session_date,
        session="AM" if row.session == "AM" else "PM",
        register_code=row.code,
        minutes_late=row.minutes_late,
    )


class AttendanceImporter:
    """Turns register rows into events, checks them, and sends them in batches."""

    def __init__(
        self,
        agency: str,
        sink: EventSink,
        identity: IdentityClient | None,
        *,
        system: str = "register-csv-import",
        batch_size: int = 500,
    ) -> None:
        """Import as `agency` into `sink`, resolving identifiers with `identity`."""
        self.agency = agency
        self._sink = sink
        self._identity = identity
        self._system = system
        self._batch_size = batch_size
        self._validator = EventValidator()

    async def _child_ref(self, row: RegisterRow) -> str:
        if row.child_ref is not None:
            return row.child_ref
        if self._identity is None:
            raise IdentityLookupError("upn", "identifiers need --gateway and --token to resolve")
        return await self._identity.child_ref_of(row.identifiers)

    async def _event(self, row: RegisterRow, now: datetime) -> AttendanceMarked | RowProblem:
        try:
            child_ref = await self._child_ref(row)
            event = attendance_event(row, child_ref, self.agency, self._system, now)
            self._validator.validate(event.to_record())
        except IdentityLookupError as exc:
            return RowProblem(row.row, exc.field, exc.rule)
        except ValidationError as exc:
            error = exc.errors(include_url=False, include_input=False)[0]
            name = str(error["loc"][0]) if error["loc"] else "(row)"
            return RowProblem(row.row, COLUMN_OF_FIELD.get(name, name), error["msg"])
        except EventValidationError as exc:
            return RowProblem(row.row, COLUMN_OF_FIELD.get(exc.field, exc.field), exc.rule)
        return event

    async def run(
        self,
        rows: Iterable[RegisterRow | RowProblem],
        on_row: Callable[[int], None] = lambda _: None,
    ) -> ImportSummary:
        """Import every row; `on_row(n)` is called as `n` more rows are done."""
        summary = ImportSummary()
        batch: list[tuple[int, AttendanceMarked]] = []
        now = datetime.now(UTC)
        for item in rows:
            built = item if isinstance(item, RowProblem) else await self._event(item, now)
            if isinstance(built, RowProblem):
                summary.rejected.append(built)
                on_row(1)
                continue
            batch.append((item.row, built))
            if len(batch) >= self._batch_size:
                await self._flush(batch, summary, on_row)
                batch = []
        if batch:
            await self._flush(batch, summary, on_row)
        summary.rejected.sort(key=lambda problem: problem.row)
        return summary

    async def _flush(
        self,
        batch: list[tuple[int, AttendanceMarked]],
        summary: ImportSummary,
        on_row: Callable[[int], None],
    ) -> None:
        refused = await self._sink.send([event for _, event in batch])
        for index, name, rule in refused:
            summary.rejected.append(RowProblem(batch[index][0], name, rule))
        summary.accepted += len(batch) - len(refused)
        on_row(len(batch))


def refusal(index: int, exc: ContractError | WrongAgencyError) -> tuple[int, str, str]:
    """A refused event as (index, field, rule)."""
    name = getattr(exc, "field", "(event)")
    rule = getattr(exc, "rule", str(exc))
    return index, COLUMN_OF_FIELD.get(name, name), rule


def event_document(event: AttendanceMarked) -> dict[str, Any]:
    """The event as the gateway's JSON takes it."""
    return event.model_dump(mode="json")
