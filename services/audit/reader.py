"""Read the audit trail back: verify its hash chains, search it by child or recipient."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from schemas.codec import AvroCodec
from services.audit.chain import ChainBreak, verify_chain
from services.bus import topics
from services.bus.kafka import partitions_of
from services.bus.reading import records_to_end
from services.bus.settings import BusSettings


async def read_partitions(
    settings: BusSettings, codec: AvroCodec, topic: str = topics.AUDIT_DISCLOSURES
) -> AsyncIterator[tuple[int, list[tuple[int, dict[str, Any]]]]]:
    """Each partition's (offset, record) pairs from the beginning to the current end."""
    for number in await partitions_of(settings, topic):
        records = [
            (r.offset, codec.decode(r.value))
            async for r in records_to_end(settings, topic, [number])
        ]
        yield number, records


@dataclass
class ChainReport:
    """What verifying the audit trail found."""

    records: int = 0
    partitions: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)
    repeated_decisions: int = 0

    @property
    def intact(self) -> bool:
        """True when no chain is broken."""
        return not self.breaks


async def verify_audit(
    settings: BusSettings, codec: AvroCodec, topic: str = topics.AUDIT_DISCLOSURES
) -> ChainReport:
    """Verify every partition's chain; count decisions recorded twice (replays)."""
    report = ChainReport()
    ids: Counter[str] = Counter()
    for number in await partitions_of(settings, topic):
        records = [
            (r.offset, r.value, codec.decode(r.value))
            async for r in records_to_end(settings, topic, [number])
        ]
        count, breaks = verify_chain(number, records)
        report.partitions += 1
        report.records += count
        report.breaks.extend(breaks)
        ids.update(str(record["event_id"]) for _, _, record in records)
    report.repeated_decisions = sum(n - 1 for n in ids.values() if n > 1)
    return report
