"""Where each audit partition's hash chain ends, read from the audit topic itself.

Reading the tail (not a cached value) means a restarted or rebalanced router
continues the chain exactly where the topic ends, whatever it wrote before.
"""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

from schemas.codec import AvroCodec
from services.bus import topics
from services.router.domain.audit_chain import GENESIS
from services.router.exceptions import RouterError

_READ_ATTEMPTS = 30


class ChainTails:
    """The last hash per audit partition: read once, then advanced as records are sealed."""

    def __init__(
        self, consumer: AIOKafkaConsumer, codec: AvroCodec, topic: str = topics.AUDIT_DISCLOSURES
    ) -> None:
        """Read tails with `consumer` (started by the caller, no group)."""
        self._consumer = consumer
        self._codec = codec
        self._topic = topic
        self._tails: dict[int, str] = {}
        self._started = False

    async def close(self) -> None:
        """Stop the consumer if it was started."""
        if self._started:
            await self._consumer.stop()
            self._started = False

    def forget(self) -> None:
        """Drop cached tails (after a rebalance another worker may have appended)."""
        self._tails.clear()

    def advance(self, partition: int, last_hash: str) -> None:
        """Record that `last_hash` now ends `partition`'s chain."""
        self._tails[partition] = last_hash

    async def tail(self, partition: int) -> str:
        """The hash that ends `partition`'s chain (GENESIS when the partition is empty)."""
        cached = self._tails.get(partition)
        if cached is not None:
            return cached
        if not self._started:
            await self._consumer.start()
            self._started = True
        tp = TopicPartition(self._topic, partition)
        self._consumer.assign([tp])
        end = (await self._consumer.end_offsets([tp]))[tp]
        last = GENESIS
        if end > 0:
            self._consumer.seek(tp, end - 1)
            for _ in range(_READ_ATTEMPTS):
                records = (await self._consumer.getmany(tp, timeout_ms=1000)).get(tp, [])
                if records:
                    last = str(self._codec.decode(records[-1].value)["hash"])
                    break
            else:
                msg = f"{self._topic}[{partition}]: cannot read the chain's last record"
                raise RouterError(msg)
        self._tails[partition] = last
        return last
