"""One audit record as a row: the columns auditors see, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

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


def audit_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as CSV (fields as a JSON list), one header line first."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "fields": json.dumps(row.get("fields") or [])})
    return out.getvalue()
