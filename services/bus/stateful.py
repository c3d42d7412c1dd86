"""The stateful-processor mechanism: per-child store, restore on assignment, drop on revoke.

A processor (router, thresholds, the next one) subclasses `ChildProcessor`,
names its state codec and writes `handle` (and `tick` if it has timers);
the loop (services/bus/transactional.py) calls `assigned` before it hands the
processor any record of a partition and `revoked` when the partition goes. A
processor that follows identity stewards' merges subclasses `MergingProcessor`
(services/bus/merging.py) instead.
"""

from __future__ import annotations

import datetime as dt
import time
from abc import ABC, abstractmethod
from typing import Generic, TypeVar

import structlog

from services.bus.child_store import ChildStore
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings

log = structlog.get_logger(__name__)
S = TypeVar("S")


class ChildProcessor(ABC, Generic[S]):
    """Base of a processor keeping per-child state `S` in `store`."""

    def __init__(self, settings: BusSettings, store: ChildStore[S]) -> None:
        """Restore from and write to `store.changelog` on the cluster in `settings`."""
        self.settings = settings
        self.store = store

    @property
    def changelog(self) -> str:
        """The compacted topic holding this processor's state."""
        return self.store.changelog

    def assigned(self, partitions: frozenset[int]) -> None:
        """Restore `partitions` from the changelog; no record of them is handled before."""
        started = time.monotonic()
        records = self.store.restore(self.settings, partitions)
        self.restored(partitions)
        log.info(
            "state restored",
            changelog=self.changelog,
            partitions=sorted(partitions),
            records=records,
            seconds=round(time.monotonic() - started, 3),
        )

    def revoked(self, partitions: frozenset[int]) -> None:
        """Forget everything held about `partitions`."""
        self.store.drop(partitions)
        self.dropped(partitions)

    def restored(self, partitions: frozenset[int]) -> None:
        """Hook: restore what else the processor keeps per partition."""

    def dropped(self, partitions: frozenset[int]) -> None:
        """Hook: forget what else the processor keeps per partition."""

    @abstractmethod
    def handle(self, record: Incoming) -> list[Outgoing]:
        """The records one consumed record produces (in the batch's transaction)."""

    def tick(self, now: dt.datetime) -> list[Outgoing]:  # noqa: ARG002 - for timed processors
        """Records due at wall-clock time `now`; none unless a processor has timers."""
        return []
