"""One audit record as a row: the columns auditors see, as JSON and as CSV.

A CSV cell opening with a formula character is neutralised with a leading
single quote, so a value that reached the trail (a recipient, a reason, a
field name) cannot run as a formula when an auditor opens the export in a
spreadsheet (OWASP, "CSV Injection").
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Final

# The characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_LEADS: Final = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "recorded_at",
    "child_ref",
    "subject_event_id",
    "subject_event_type",
    "recipient",
    "decision",
    "fields",
    "agreement_id",
    "legal_basis",
    "purpose",
    "override",
    "reason",
    "policy_version",
    "partition",
    "offset",
    "prev_hash",
    "hash",
)


def audit_row(partition: int, offset: int, record: dict[str, Any]) -> dict[str, Any]:
    """One DisclosureDecided record as a JSON-ready row (the columns of COLUMNS)."""
    row: dict[str, Any] = {"partition": partition, "offset": offset}
    for name in COLUMNS:
        if name in row:
            continue
        value = record.get(name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, uuid.UUID):
            value = str(value)
        row[name] = value
    return row


def csv_cell(value: Any) -> Any:
    """`value` for a CSV cell: text opening with a formula character gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def audit_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as CSV (fields as a JSON list), one header line first; no cell is a formula."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        cells = {**row, "fields": json.dumps(row.get("fields") or [])}
        writer.writerow({name: csv_cell(value) for name, value in cells.items()})
    return out.getvalue()
