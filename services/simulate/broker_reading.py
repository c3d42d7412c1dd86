"""What the simulator reads back from the broker: offsets, consumer lag, new records of topics.

Lag is a group's committed offset against the end of each partition, as the
broker reports them (a partition the group never committed counts from its
first offset). `TopicTail` reads records written to some topics after it was
made, read_committed, with their broker timestamps.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from confluent_kafka import ConsumerGroupTopicPartitions, KafkaError, TopicPartition
from confluent_kafka.admin import OffsetSpec  # type: ignore[attr-defined] # not in __all__

from services.bus import rdkafka
from services.bus.settings import BusSettings
from services.simulate.exceptions import SimulationError

Partition = tuple[str, int]
TIMEOUT_S: Final = 30.0
BATCH: Final = 2000
QUIET_POLL_S: Final = 0.3


class Offsets:
    """Partitions, their ends and the groups' committed offsets, asked of the broker."""

    def __init__(self, settings: BusSettings) -> None:
        """Ask as the settings' principal."""
        self._admin = rdkafka.admin_client(settings)
        self._partitions: dict[str, list[int]] = {}

    def partitions(self, topics: Iterable[str]) -> list[Partition]:
        """Every partition of `topics` (a missing topic has none)."""
        wanted = sorted(set(topics))
        if any(topic not in self._partitions for topic in wanted):
            metadata = self._admin.list_topics(timeout=TIMEOUT_S).topics
            for topic in wanted:
                found = metadata.get(topic)
                self._partitions[topic] = sorted(found.partitions) if found else []
        return [(topic, p) for topic in wanted for p in self._partitions[topic]]

    def _list(self, partitions: list[Partition], spec: OffsetSpec) -> dict[Partition, int]:
        if not partitions:
            return {}
        asked = {TopicPartition(t, p): spec for t, p in partitions}
        answers = self._admin.list_offsets(asked, request_timeout=TIMEOUT_S)
        return {(tp.topic, tp.partition): f.result().offset for tp, f in answers.items()}

    def ends(self, partitions: list[Partition]) -> dict[Partition, int]:
        """The end offset (high watermark) of each partition."""
        return self._list(partitions, OffsetSpec.latest())  # type: ignore[no-untyped-call]

    def committed(self, group: str, partitions: list[Partition]) -> dict[Partition, int]:
        """The offsets `group` committed on `partitions` (-1 where it has none)."""
        if not partitions:
            return {}
        request = ConsumerGroupTopicPartitions(group, [TopicPartition(t, p) for t, p in partitions])
        answer = self._admin.list_consumer_group_offsets([request], request_timeout=TIMEOUT_S)
        return {
            (tp.topic, tp.partition): max(tp.offset, -1)
            for tp in answer[group].result().topic_partitions
        }

    def lag(self, group: str, topics: Iterable[str]) -> int:
        """Records of `topics` the consumer group `group` has not committed yet.

        Meant for topics written without transactions: a transaction's marker takes
        an offset too, which this would count (`TopicTail.last_offsets` is for those).
        """
        partitions = self.partitions(topics)
        if not partitions:
            return 0
        ends = self.ends(partitions)
        starts = self._list(partitions, OffsetSpec.earliest())  # type: ignore[no-untyped-call]
        committed = self.committed(group, partitions)
        return sum(
            max(0, ends[p] - (committed[p] if committed.get(p, -1) >= 0 else starts[p]))
            for p in partitions
        )


@dataclass(frozen=True, slots=True)
class Received:
    """One record read back: its topic, broker timestamp (ms) and value."""

    topic: str
    timestamp_ms: int
    value: bytes


class TopicTail:
    """Reads what is written to some topics from the moment it is made."""

    def __init__(self, settings: BusSettings, offsets: Offsets, topics: Iterable[str]) -> None:
        """Start at the current end of every partition of `topics`."""
        partitions = offsets.partitions(topics)
        ends = offsets.ends(partitions)
        self._consumer = rdkafka.reader(settings)
        self._consumer.assign([TopicPartition(t, p, ends[(t, p)]) for t, p in partitions])
        self._at_end = dict.fromkeys(partitions, False)
        self.last_offsets: dict[Partition, int] = {}

    def read(self, timeout_s: float = TIMEOUT_S) -> list[Received]:
        """Everything written since the last read, up to the end of every partition.

        Stops after `timeout_s` with what it has when some partition never says it is at
        its end (the next read goes on from there).
        """
        found: list[Received] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            messages = self._consumer.consume(num_messages=BATCH, timeout=QUIET_POLL_S)
            for message in messages:
                where = (str(message.topic()), int(message.partition() or 0))
                error = message.error()
                if error is not None:
                    if error.code() != KafkaError._PARTITION_EOF:  # noqa: SLF001 - librdkafka's name
                        raise SimulationError(f"reading {where[0]}: {error.str()}")
                    self._at_end[where] = True
                    continue
                self._at_end[where] = False
                self.last_offsets[where] = int(message.offset() or 0)
                found.append(Received(where[0], message.timestamp()[1], message.value() or b""))
            if not messages and all(self._at_end.values()):
                break
        return found

    def close(self) -> None:
        """Leave the partitions."""
        self._consumer.close()
