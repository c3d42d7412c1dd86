"""The audit trail read back for auditors: search by child or recipient, verify the chains.

Each call reads audit.disclosures from the beginning with its own consumer (no
group): a scan, fine for subject access requests and spot checks; an indexed
store fed by the topic is the step up when the trail grows large.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from consent.service.audit import CSV_COLUMNS
from schemas.codec import AvroCodec
from services.bus.settings import BusSettings
from services.router.audit_reader import read_partitions, verify_audit

AUDIT_COLUMNS = CSV_COLUMNS


def audit_row(partition: int, offset: int, record: dict[str, Any]) -> dict[str, Any]:
    """One DisclosureDecided record as a JSON-ready row (the columns of AUDIT_COLUMNS)."""
    row: dict[str, Any] = {"partition": partition, "offset": offset}
    for name in AUDIT_COLUMNS:
        if name in row:
            continue
        value = record.get(name)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, uuid.UUID):
            value = str(value)
        row[name] = value
    return row


class KafkaAuditTrail:
    """Reads the audit topic from the beginning on each request."""

    def __init__(self, settings: BusSettings, codec: AvroCodec, topic: str) -> None:
        """Read `topic` on the cluster of `settings`, decoding with `codec`."""
        self._settings = settings
        self._codec = codec
        self._topic = topic

    async def search(self, child_ref: str | None, recipient: str | None) -> list[dict[str, Any]]:
        """Every decision about `child_ref` and/or to `recipient`, oldest first."""
        rows: list[dict[str, Any]] = []
        async for partition, records in read_partitions(self._settings, self._codec, self._topic):
            rows.extend(
                audit_row(partition, offset, record)
                for offset, record in records
                if (child_ref is None or record["child_ref"] == child_ref)
                and (recipient is None or record["recipient"] == recipient)
            )
        rows.sort(key=lambda row: (row["recorded_at"], row["partition"], row["offset"]))
        return rows

    async def verify(self) -> dict[str, Any]:
        """Verify every partition's hash chain (services.router.audit_reader.verify_audit)."""
        report = await verify_audit(self._settings, self._codec, self._topic)
        return {
            "intact": report.intact,
            "records": report.records,
            "partitions": report.partitions,
            "repeated_decisions": report.repeated_decisions,
            "breaks": [
                {"partition": b.partition, "offset": b.offset, "problem": b.problem}
                for b in report.breaks
            ],
        }
