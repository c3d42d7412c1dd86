"""What the receiving tests share: agencies' tokens, numbered disclosures, a view writer."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable
from typing import Any

from schemas.codec import AvroCodec
from services.alerts.samples import disclosed_record
from services.bus import topics
from services.bus.kafka import build_producer
from services.bus.settings import BusSettings

CHILD_REFS = tuple(f"cr1_receiving{n:03d}" + "r" * 20 for n in range(12))


def token_of(agency: str) -> str:
    """The test token of an agency's view reader."""
    return f"test-token-{agency}"


def disclosures(agency: str, count: int, start: int = 0, **extra: Any) -> list[dict[str, Any]]:
    """`count` DisclosedEvents for `agency`, numbered from `start`, over a dozen children."""
    return [
        disclosed_record(
            agency,
            "AttendanceMarked",
            {"session": "AM", "n": n},
            child_ref=CHILD_REFS[n % len(CHILD_REFS)],
            **extra,
        )
        for n in range(start, start + count)
    ]


class ViewWriter:
    """Writes DisclosedEvents to views in transactions, as the router does."""

    def __init__(self, producer: Any, codec: AvroCodec) -> None:
        self._producer = producer
        self._codec = codec

    async def write(
        self, records: Iterable[dict[str, Any]], *, commit: bool = True, per_transaction: int = 50
    ) -> None:
        """Write `records` in transactions of `per_transaction`; abort them all if not `commit`."""
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(record)
            if len(batch) == per_transaction:
                await self._transaction(batch, commit=commit)
                batch = []
        if batch:
            await self._transaction(batch, commit=commit)

    async def write_raw(self, agency: str, value: bytes, key: bytes = b"cr1_raw") -> None:
        """One committed record of any bytes on `agency`'s view."""
        async with self._producer.transaction():
            await self._producer.send(topics.view(agency), value, key=key)

    async def _transaction(self, batch: list[dict[str, Any]], *, commit: bool) -> None:
        await self._producer.begin_transaction()
        for record in batch:
            value = self._codec.encode("DisclosedEvent", record)
            await self._producer.send(
                topics.view(record["recipient"]), value, key=record["child_ref"].encode()
            )
        if commit:
            await self._producer.commit_transaction()
        else:
            await self._producer.abort_transaction()


@contextlib.asynccontextmanager
async def view_writer(
    settings: BusSettings, codec: AvroCodec, txn_id: str
) -> AsyncIterator[ViewWriter]:
    """A started transactional writer of views."""
    producer = build_producer(settings, transactional_id=txn_id)
    await producer.start()
    try:
        yield ViewWriter(producer, codec)
    finally:
        await producer.stop()
