"""Where each audit partition's hash chain ends, read from the audit topic itself.

Reading the tail (not a cached value) means a restarted or rebalanced router
continues the chain exactly where the topic ends, whatever it wrote before.
"""

from __future__ import annotations

from aiokafka import TopicPartition

from schemas.codec import AvroCodec
from services.bus import topics
from services.bus.kafka import build_consumer
from services.bus.settings import BusSettings
from services.router.domain.audit_chain import GENESIS

_WINDOW = 64


class ChainTails:
    """The last hash per audit partition: read once, then advanced as records are sealed."""

    def __init__(
        self, settings: BusSettings, codec: AvroCodec, topic: str = topics.AUDIT_DISCLOSURES
    ) -> None:
        """Read tails from `topic` of the cluster in `settings`."""
        self._settings = settings
        self._codec = codec
        self._topic = topic
        self._tails: dict[int, str] = {}

    def forget(self) -> None:
        """Drop cached tails (after a rebalance another worker may have appended)."""
        self._tails.clear()

    def advance(self, partition: int, last_hash: str) -> None:
        """Record that `last_hash` now ends `partition`'s chain."""
        self._tails[partition] = last_hash

    async def tail(self, partition: int) -> str:
        """The hash that ends `partition`'s chain (GENESIS when the partition is empty)."""
        cached = self._tails.get(partition)
        if cached is None:
            cached = self._tails[partition] = await self._read_tail(partition)
        return cached

    async def _read_tail(self, partition: int) -> str:
        """The last committed record's hash, reading back from the end in growing windows.

        The topic is written in transactions: its last offsets may be commit
        markers or aborted records, which a read_committed reader never sees.
        """
        consumer = build_consumer(self._settings, group_id=None)
        await consumer.start()
        try:
            tp = TopicPartition(self._topic, partition)
            consumer.assign([tp])
            end = (await consumer.end_offsets([tp]))[tp]
            window = _WINDOW
            while end > 0:
                start = max(0, end - window)
                consumer.seek(tp, start)
                last = None
                while await consumer.position(tp) < end:
                    batch = (await consumer.getmany(tp, timeout_ms=500)).get(tp, [])
                    last = next((m for m in reversed(batch) if m.offset < end), last)
                if last is not None:
                    return str(self._codec.decode(last.value)["hash"])
                if start == 0:
                    break
                window *= 4
        finally:
            await consumer.stop()
        return GENESIS
