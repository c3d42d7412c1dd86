"""What a transactional loop drives (`Processor`), how it is tuned and what it reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Protocol

from services.bus.records import Incoming, Outgoing

BATCH: Final = 5_000
WAIT_S: Final = 0.05


class Processor(Protocol):
    """What the loop drives (services/bus/stateful.py is the usual base)."""

    @property
    def changelog(self) -> str:
        """The processor's state changelog (must be partitioned like the sources)."""
        ...

    def assigned(self, partitions: frozenset[int]) -> None:
        """Restore `partitions`' state; called before any of their records is handled."""
        ...

    def revoked(self, partitions: frozenset[int]) -> None:
        """Forget `partitions`' state."""
        ...

    def handle(self, record: Incoming) -> list[Outgoing]:
        """The records one consumed record produces."""
        ...

    def tick(self, now: dt.datetime) -> list[Outgoing]:
        """Records due at wall-clock time `now` (e.g. escalations); usually none."""
        ...


@dataclass(frozen=True)
class LoopOptions:
    """How the loop sizes transactions and reacts to failure."""

    batch: int = BATCH
    wait_s: float = WAIT_S
    tick_every_s: float = 30.0
    max_attempts: int = 3
    timeout_s: float = 60.0


@dataclass
class LoopStats:
    """What the loop has done so far (for metrics and benchmarks)."""

    transactions: int = 0
    records: int = 0
    handling_s: float = 0.0  # in the processor
    committing_s: float = 0.0  # offsets sent and transaction committed
    slowest_commit_s: float = 0.0
