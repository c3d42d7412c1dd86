"""The audit trail read back for auditors: search by child or recipient, verify the chains.

Each call reads audit.disclosures from the beginning with its own consumer (no
group): a scan, fine for subject access requests and spot checks; an indexed
store fed by the topic is the step up when the trail grows large.
"""

from __future__ import annotations

from typing import Any, Protocol

from schemas.codec import AvroCodec
from services.audit.reader import read_partitions, verify_audit
from services.audit.rows import audit_row
from services.bus.settings import BusSettings


class AuditTrail(Protocol):
    """Reads audit.disclosures back."""

    async def search(self, child_ref: str | None, recipient: str | None) -> list[dict[str, Any]]:
        """Decisions about `child_ref` and/or to `recipient`, oldest first."""
        ...

    async def verify(self) -> dict[str, Any]:
        """The hash chains' verification report (intact, records, partitions, breaks)."""
        ...


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
        """Verify every partition's hash chain (services.audit.reader.verify_audit)."""
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
