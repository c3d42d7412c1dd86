"""What a `Subscriber` is built from: options, group name, consumer, lazy producer, listener."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError

from services.bus import topics
from services.sdk.exceptions import PublishError, SubscribeError
from services.sdk.recent_events import DEFAULT_WINDOW

# An agency's consumer groups are `<agency id>-...`: the prefix the ACLs grant
# (services/governance/principals.py `group_prefix`; a unit test keeps them equal).
GROUP_SEPARATOR: Final = "-"
_GROUP_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def subscriber_group(agency: str, name: str) -> str:
    """The consumer group of subscriber `name` of `agency`: `<agency>-<name>`."""
    if not _GROUP_NAME.fullmatch(name):
        raise SubscribeError(
            "name: must be 1-100 lower-case letters, digits, dots, hyphens or underscores"
        )
    return f"{topics.check_agency_id(agency)}{GROUP_SEPARATOR}{name}"


@dataclass(frozen=True, slots=True)
class SubscriberOptions:
    """How a subscriber batches, commits and de-duplicates."""

    dedup_window: int = DEFAULT_WINDOW  # disclosure keys remembered; 0: no de-duplication
    max_batch: int = 500  # records fetched at once; all of them are handled between commits
    poll_timeout_s: float = 1.0  # longest wait of one fetch when the view has nothing new
    commit_interval_s: float = 5.0  # commit at least this often while handling a batch


class ViewConsumer(Protocol):
    """What a subscriber needs of a group consumer: aiokafka's, or one standing in for it."""

    def subscribe(self, topics: list[str], listener: Any = None) -> None:
        """Subscribe to `topics` in the consumer's group, with a rebalance listener."""
        ...

    async def start(self) -> None:
        """Connect and join the group."""
        ...

    async def stop(self) -> None:
        """Leave the group and disconnect."""
        ...

    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0, max_records: int | None = None
    ) -> dict[TopicPartition, list[Any]]:
        """Records fetched since the last call, by partition."""
        ...

    async def commit(self, offsets: dict[TopicPartition, int] | None = None) -> None:
        """Commit these next offsets for the group."""
        ...

    def seek(self, partition: TopicPartition, offset: int) -> None:
        """Read `partition` from `offset` next."""
        ...

    def assignment(self) -> set[TopicPartition]:
        """The partitions the group gave this consumer."""
        ...


class LazyProducer:
    """An idempotent producer built and started on first use (most subscribers never use it)."""

    def __init__(self, build: Callable[[], AIOKafkaProducer]) -> None:
        """Build the producer with `build` when the first record is sent."""
        self._build = build
        self._producer: AIOKafkaProducer | None = None
        self._starting = asyncio.Lock()

    async def send_and_wait(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> Any:
        """Send one record and wait for the broker's acknowledgement."""
        async with self._starting:
            if self._producer is None:
                producer = self._build()
                try:
                    await producer.start()
                except KafkaError as exc:
                    await producer.stop()
                    raise PublishError(f"cannot connect to Kafka to write {topic}: {exc}") from exc
                self._producer = producer
        return await self._producer.send_and_wait(topic, value, key=key, headers=headers)

    async def stop(self) -> None:
        """Flush and stop the producer, if it was ever started."""
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


class RevokeListener(ConsumerRebalanceListener):  # type: ignore[misc] # aiokafka is untyped
    """Calls `on_revoked` with the partitions a rebalance takes away, before they go."""

    def __init__(self, on_revoked: Callable[[Iterable[TopicPartition]], Awaitable[None]]) -> None:
        """Await `on_revoked(partitions)` on each revocation."""
        self._on_revoked = on_revoked

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        """Let the subscriber commit and forget the partitions before the group moves them."""
        await self._on_revoked(revoked)

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        """Nothing to do: a new partition is read from its committed offset."""
