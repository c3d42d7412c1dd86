"""School registers exported as CSV, read into attendance rows (pure: no I/O beyond the text).

Columns (header row required, names case-insensitive, order free):

| column         | required | meaning                                                  |
|----------------|----------|----------------------------------------------------------|
| `upn`          | one of   | the pupil's Unique Pupil Number                          |
| `nhs_number`   | the three| the child's NHS number (spaces allowed)                  |
| `child_ref`    |          | a child_ref already known (no identifier then needed)    |
| `date`         | yes      | session date, `YYYY-MM-DD` or `DD/MM/YYYY`               |
| `session`      | yes      | `AM` or `PM`                                             |
| `code`         | yes      | national attendance register code (schemas/codes)        |
| `minutes_late` | no       | minutes after the register opened, for late marks        |
| `school`       | no       | agency id of the school; default: the importing agency   |

Row numbers are as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from services.identity.domain.identifiers import parse_identifier
from services.identity.exceptions import InvalidIdentifierError
from services.sdk.exceptions import (
    RegisterFormatError as RegisterFormatError,  # noqa: PLC0414 - callers import it from here
)

IDENTIFIER_COLUMNS: Final = ("nhs_number", "upn")
REQUIRED_COLUMNS: Final = ("date", "session", "code")
KNOWN_COLUMNS: Final = frozenset(
    {*IDENTIFIER_COLUMNS, "child_ref", *REQUIRED_COLUMNS, "minutes_late", "school"}
)
DATE_FORMATS: Final = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one row was rejected: its row number, the column and the rule."""

    row: int
    field: str
    rule: str


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One register mark as read from the file, identifiers validated but not yet resolved."""

    row: int
    identifiers: tuple[tuple[str, str], ...]
    child_ref: str | None
    session_date: date
    session: str
    code: str
    minutes_late: int | None
    school: str | None
    cells: dict[str, str] = field(repr=False)


def check_header(columns: Iterable[str]) -> list[str]:
    """The header's column names, normalised; raise if a required column is missing."""
    names = [column.strip().lower() for column in columns]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise RegisterFormatError(f"header: missing column(s) {', '.join(missing)}")
    if not {*IDENTIFIER_COLUMNS, "child_ref"} & set(names):
        raise RegisterFormatError("header: needs a upn, nhs_number or child_ref column")
    return names


class _Refused(Exception):  # noqa: N818 - control flow inside this module, not an error
    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


def _date(text: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise _Refused("date", "must be a date as YYYY-MM-DD or DD/MM/YYYY")


def _identifiers(value: dict[str, str]) -> tuple[tuple[str, str], ...]:
    identifiers: list[tuple[str, str]] = []
    for kind in IDENTIFIER_COLUMNS:
        if value[kind]:
            try:
                identifiers.append((kind, parse_identifier(kind, value[kind]).value))
            except InvalidIdentifierError as exc:
                raise _Refused(kind, exc.rule) from None
    if not identifiers and not value["child_ref"]:
        raise _Refused("upn", "a upn, nhs_number or child_ref is required")
    return tuple(identifiers)


def _minutes_late(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise _Refused("minutes_late", "must be a whole number of minutes")
    return int(text)


def _mark(number: int, cells: dict[str, str]) -> RegisterRow:
    value = {name: (cells.get(name) or "").strip() for name in KNOWN_COLUMNS}
    identifiers = _identifiers(value)
    for name in REQUIRED_COLUMNS:
        if not value[name]:
            raise _Refused(name, "is required")
    session = value["session"].upper()
    if session not in {"AM", "PM"}:
        raise _Refused("session", "must be AM or PM")
    return RegisterRow(
        row=number,
        identifiers=identifiers,
        child_ref=value["child_ref"] or None,
        session_date=_date(value["date"]),
        session=session,
        code=value["code"],
        minutes_late=_minutes_late(value["minutes_late"]),
        school=value["school"] or None,
        cells=cells,
    )


def read_row(number: int, cells: dict[str, str]) -> RegisterRow | RowProblem:
    """One row as a register mark, or the first problem found in it."""
    try:
        return _mark(number, cells)
    except _Refused as exc:
        return RowProblem(number, exc.field, exc.rule)


def read_register(lines: Iterable[str]) -> tuple[list[str], Iterator[RegisterRow | RowProblem]]:
    """The header's columns and, lazily, each data row as a mark or a problem."""
    reader = csv.reader(iter(lines))
    try:
        header = check_header(next(reader))
    except StopIteration:
        raise RegisterFormatError("file is empty: a header row is needed") from None

    def rows() -> Iterator[RegisterRow | RowProblem]:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            yield read_row(number, dict(zip(header, cells, strict=False)))

    return header, rows()
