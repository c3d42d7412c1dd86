"""The partitions a transactional loop owns, their committed positions, and its state in step.

On assignment the committed offsets are fetched as stable (the consumer is
read_committed, so librdkafka sets require_stable: a previous owner's open
transaction is finished first), then the processor restores the partitions'
state, and only then is the consumer assigned them: no record of a partition
reaches the processor before its state is restored. On revoke or loss the
state is forgotten; on rewind it is rebuilt from the last commit.
"""

from __future__ import annotations

from typing import Protocol

import structlog
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, TopicPartition

from services.bus.loop_parts import StreamProcessingError, kafka_error, key

log = structlog.get_logger(__name__)


class PartitionState(Protocol):
    """The part of a processor ownership keeps in step."""

    def assigned(self, partitions: frozenset[int]) -> None:
        """Restore `partitions`' state."""
        ...

    def revoked(self, partitions: frozenset[int]) -> None:
        """Forget `partitions`' state."""
        ...


class Ownership:
    """What consumer group `group_id`'s loop owns now, kept in step with `state`."""

    def __init__(
        self, state: PartitionState, group_id: str, *, attempts: int, timeout_s: float
    ) -> None:
        """Ask for stable committed offsets up to `attempts` times, each within `timeout_s`."""
        self._state = state
        self._group_id = group_id
        self._attempts = attempts
        self._timeout_s = timeout_s
        self.owned: set[tuple[str, int]] = set()
        self.positions: dict[tuple[str, int], int] = {}  # next offset to commit, per partition

    def on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Librdkafka's assignment callback: restore, then assign."""
        numbers = frozenset(tp.partition for tp in partitions)
        for topic in {tp.topic for tp in partitions}:
            if {tp.partition for tp in partitions if tp.topic == topic} != numbers:
                msg = f"{self._group_id}: partitions of {topic} are not co-assigned"
                raise StreamProcessingError(msg)
        committed = self._committed(consumer, partitions)
        self._state.assigned(numbers)
        self.owned = {key(tp) for tp in partitions}
        self.positions = {key(tp): tp.offset for tp in committed if tp.offset >= 0}
        consumer.assign(partitions)
        log.info("partitions assigned", group=self._group_id, partitions=sorted(numbers))

    def on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Librdkafka's revocation callback: forget the partitions' state."""
        self._forget(partitions)
        log.info("partitions revoked", group=self._group_id)

    def on_lost(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Librdkafka's callback for partitions lost with the session: forget them too."""
        self._forget(partitions)
        log.warning(
            "partitions lost (session expired); their state is dropped", group=self._group_id
        )

    def rewind(self, consumer: Consumer) -> None:
        """Back to the last commit: state restored, every owned partition at its offset."""
        owned = [TopicPartition(topic, partition) for topic, partition in sorted(self.owned)]
        numbers = frozenset(tp.partition for tp in owned)
        self._state.revoked(numbers)
        committed = self._committed(consumer, owned)
        self._state.assigned(numbers)
        self.positions = {key(tp): tp.offset for tp in committed if tp.offset >= 0}
        consumer.assign(
            [
                TopicPartition(
                    tp.topic, tp.partition, tp.offset if tp.offset >= 0 else OFFSET_BEGINNING
                )
                for tp in committed
            ]
        )

    def _committed(
        self, consumer: Consumer, partitions: list[TopicPartition]
    ) -> list[TopicPartition]:
        """Committed offsets, stable: waits until no transaction holds offsets for them."""
        for _ in range(self._attempts):
            try:
                return list(consumer.committed(partitions, timeout=self._timeout_s))
            except KafkaException as exc:
                log.warning("committed offsets not stable yet", error=kafka_error(exc).str())
        return list(consumer.committed(partitions, timeout=self._timeout_s))

    def _forget(self, partitions: list[TopicPartition]) -> None:
        self._state.revoked(frozenset(tp.partition for tp in partitions))
        for tp in partitions:
            self.owned.discard(key(tp))
            self.positions.pop(key(tp), None)
