"""Audit search for auditors: decisions by child (subject access request) or by recipient."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, Protocol

from consent.service.exceptions import InvalidRequestError

CSV_COLUMNS = (
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


class AuditTrail(Protocol):
    """Reads audit.disclosures back."""

    async def search(self, child_ref: str | None, recipient: str | None) -> list[dict[str, Any]]:
        """Decisions about `child_ref` and/or to `recipient`, oldest first."""
        ...

    async def verify(self) -> dict[str, Any]:
        """The hash chains' verification report (intact, records, partitions, breaks)."""
        ...


async def search_audit(
    trail: AuditTrail, child_ref: str | None, recipient: str | None
) -> list[dict[str, Any]]:
    """Decisions matching the search; at least one of child_ref and recipient is needed."""
    child_ref = (child_ref or "").strip() or None
    recipient = (recipient or "").strip() or None
    if child_ref is None and recipient is None:
        raise InvalidRequestError("child_ref", "give child_ref or recipient (or both)")
    return await trail.search(child_ref, recipient)


def audit_csv(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as CSV (fields as a JSON list), one header line first."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "fields": json.dumps(row.get("fields") or [])})
    return out.getvalue()
