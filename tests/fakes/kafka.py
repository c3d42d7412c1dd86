"""A fake aiokafka producer: records what it is given, answers like aiokafka."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sent:
    """One record the fake producer was given, with the partition and offset it answered."""

    topic: str
    value: bytes | None
    key: bytes | None
    headers: list | None
    partition: int
    offset: int


@dataclass
class FakeProducer:
    """Stands in for `AIOKafkaProducer`: every record lands on partition 0, in order."""

    sent: list[Sent] = field(default_factory=list)

    async def send(self, topic, value=None, key=None, headers=None, partition=None):
        record = Sent(topic, value, key, headers, partition or 0, len(self.sent))
        self.sent.append(record)
        future = asyncio.get_running_loop().create_future()
        future.set_result(record)
        return future

    async def send_and_wait(self, topic, value=None, key=None, headers=None, partition=None):
        return await (await self.send(topic, value, key, headers, partition))
