"""Where each audit partition's hash chain ends, read from the audit topic itself.

Read (read_committed) when the worker is assigned a partition, advanced in
memory as the worker seals records, dropped when the partition is revoked or
the transaction aborted: a worker continues the chain exactly where the topic
ends, whoever wrote it last.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.audit.chain import GENESIS
from services.audit.exceptions import AuditError
from services.bus import topics
from services.bus.partition_reader import last_records
from services.bus.settings import BusSettings


class ChainTails:
    """The last hash per owned audit partition."""

    def __init__(
        self, settings: BusSettings, codec: AvroCodec, topic: str = topics.AUDIT_DISCLOSURES
    ) -> None:
        """Read tails from `topic` of the cluster in `settings`."""
        self._settings = settings
        self._codec = codec
        self.topic = topic
        self._tails: dict[int, str] = {}

    def restore(self, partitions: Iterable[int]) -> None:
        """Read the tail of each of `partitions` from the topic."""
        for partition, last in last_records(self._settings, self.topic, partitions).items():
            if last is None:
                self._tails[partition] = GENESIS
                continue
            try:
                self._tails[partition] = str(self._codec.decode(last.value() or b"")["hash"])
            except ContractError as exc:
                msg = (
                    f"the last record of {self.topic}[{partition}] (offset {last.offset()}) is "
                    f"unreadable ({exc}); the audit chain cannot be continued from it"
                )
                raise AuditError(msg) from exc

    def drop(self, partitions: Iterable[int]) -> None:
        """Forget the tails of `partitions` (revoked, or to be read again)."""
        for partition in partitions:
            self._tails.pop(partition, None)

    def tail(self, partition: int) -> str:
        """The hash that ends `partition`'s chain."""
        try:
            return self._tails[partition]
        except KeyError:
            msg = f"audit partition {partition} is not owned here (its tail was never read)"
            raise AuditError(msg) from None

    def advance(self, partition: int, last_hash: str) -> None:
        """Record that `last_hash` now ends `partition`'s chain."""
        self._tails[partition] = last_hash
