"""Per-child state of the partitions a worker owns, kept in a compacted changelog.

The mechanism every stateful processor shares (DESIGN.md decision 11): state
lives in memory by partition and child, each change is a changelog record
written in the same transaction as the outputs and offsets it goes with, and
a partition's state is read back from the changelog each time the partition
is assigned. Values are decoded lazily, on the child's first event, so a
restore costs about as much as reading the changelog; a header carries when
the child next has something due, so timers need no decoding either. Another
header marks a child absorbed into another by an identity steward's merge: its
records are forwarded to the surviving child (services/bus/merging.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from services.bus.partition_reader import records_to_end
from services.bus.records import Outgoing
from services.bus.settings import BusSettings

S = TypeVar("S")
DUE_HEADER: Final = "joinedup.due"
FORWARD_HEADER: Final = "joinedup.forward"


@dataclass(frozen=True, slots=True)
class StateCodec(Generic[S]):
    """How one child's state is written to and read from the changelog."""

    dump: Callable[[S], bytes]
    load: Callable[[bytes], S]


@dataclass(frozen=True, slots=True)
class Forward:
    """Where an absorbed child's records go: the surviving child_ref, and by which merge."""

    survivor: str
    merge_id: str

    def encode(self) -> bytes:
        """The changelog header's value: `<merge id> <surviving child_ref>`."""
        return f"{self.merge_id} {self.survivor}".encode()

    @classmethod
    def decode(cls, raw: bytes) -> Forward:
        """Read a changelog header's value back."""
        merge_id, _, survivor = raw.decode().partition(" ")
        return cls(survivor, merge_id)


class NotOwnedError(KeyError):
    """Raised when state is asked of a partition this worker does not own (a bug)."""


class ChildStore(Generic[S]):
    """State by partition and child_ref; changes come back as changelog records."""

    def __init__(self, changelog: str, codec: StateCodec[S]) -> None:
        """Keep state for the compacted topic `changelog`."""
        self.changelog = changelog
        self._codec = codec
        self._children: dict[int, dict[str, S | bytes]] = {}
        self._due: dict[int, dict[str, dt.datetime]] = {}
        self._forwards: dict[int, dict[str, Forward]] = {}

    @property
    def codec(self) -> StateCodec[S]:
        """How a child's state is written and read (the hand-over of a merge writes it too)."""
        return self._codec

    @property
    def partitions(self) -> frozenset[int]:
        """The partitions whose state is held."""
        return frozenset(self._children)

    def _partition(self, partition: int) -> dict[str, S | bytes]:
        children = self._children.get(partition)
        if children is None:
            raise NotOwnedError(f"partition {partition} of {self.changelog} is not restored here")
        return children

    def get(self, partition: int, child_ref: str) -> S | None:
        """The child's state (None for a child never seen)."""
        children = self._partition(partition)
        value = children.get(child_ref)
        if isinstance(value, bytes):
            value = children[child_ref] = self._codec.load(value)
        return value

    def put(
        self, partition: int, child_ref: str, state: S, due: dt.datetime | None = None
    ) -> Outgoing:
        """Keep `state`; return its changelog record (`due`: when a timer next fires)."""
        self._partition(partition)[child_ref] = state
        headers: tuple[tuple[str, bytes], ...] = ()
        if due is None:
            self._due[partition].pop(child_ref, None)
        else:
            self._due[partition][child_ref] = due
            headers = ((DUE_HEADER, due.isoformat().encode()),)
        forward = self._forwards[partition].get(child_ref)
        if forward is not None:
            headers = (*headers, (FORWARD_HEADER, forward.encode()))
        return Outgoing(
            self.changelog, child_ref.encode(), self._codec.dump(state), partition, headers
        )

    def _partition_forwards(self, partition: int) -> dict[str, Forward]:
        forwards = self._forwards.get(partition)
        if forwards is None:
            raise NotOwnedError(f"partition {partition} of {self.changelog} is not restored here")
        return forwards

    def forward_of(self, partition: int, child_ref: str) -> Forward | None:
        """Where the child's records go, when a merge absorbed it into another; else None."""
        forwards = self._partition_forwards(partition)
        return forwards.get(child_ref) if forwards else None

    def mark(
        self,
        partition: int,
        child_ref: str,
        state: S,
        forward: Forward | None,
        due: dt.datetime | None = None,
    ) -> Outgoing:
        """Keep `state`, forwarding to `forward`'s survivor (None: no one); its changelog record."""
        forwards = self._partition_forwards(partition)
        if forward is None:
            forwards.pop(child_ref, None)
        else:
            forwards[child_ref] = forward
        return self.put(partition, child_ref, state, due)

    def due(self, now: dt.datetime) -> list[tuple[int, str]]:
        """(partition, child_ref) of every child with a timer due at `now`."""
        return [
            (partition, child_ref)
            for partition, dues in self._due.items()
            for child_ref, at in dues.items()
            if at <= now
        ]

    def begin(self, partitions: Iterable[int]) -> None:
        """Hold empty state for `partitions` (a replay outside Kafka, a benchmark)."""
        for partition in partitions:
            self._children[partition] = {}
            self._due[partition] = {}
            self._forwards[partition] = {}

    def restore(self, settings: BusSettings, partitions: Iterable[int]) -> int:
        """Read `partitions` back from the changelog (replacing what is held); count records."""
        wanted = sorted(set(partitions))
        self.begin(wanted)
        count = 0
        for record in records_to_end(settings, self.changelog, wanted):
            count += 1
            self._apply(record.partition() or 0, record.key(), record.value(), record.headers())
        return count

    def _apply(
        self,
        partition: int,
        key: bytes | None,
        value: bytes | None,
        headers: object,
    ) -> None:
        child_ref = (key or b"").decode()
        children, dues = self._children[partition], self._due[partition]
        forwards = self._forwards[partition]
        dues.pop(child_ref, None)
        forwards.pop(child_ref, None)
        if value is None:
            children.pop(child_ref, None)
            return
        children[child_ref] = value
        if isinstance(headers, list):
            for name, raw in headers:
                if name == DUE_HEADER and isinstance(raw, bytes):
                    dues[child_ref] = dt.datetime.fromisoformat(raw.decode())
                elif name == FORWARD_HEADER and isinstance(raw, bytes):
                    forwards[child_ref] = Forward.decode(raw)

    def drop(self, partitions: Iterable[int]) -> None:
        """Forget `partitions` (revoked, or to be restored again)."""
        for partition in partitions:
            self._children.pop(partition, None)
            self._due.pop(partition, None)
            self._forwards.pop(partition, None)

    def children(self) -> int:
        """How many children are held (restored or seen)."""
        return sum(len(c) for c in self._children.values())
