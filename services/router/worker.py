"""The router as a processor of the transactional loop: exactly once (docs/router.md).

Per-child state lives in memory for the partitions this worker owns and in a
compacted changelog topic `<app_id>-children`, partitioned like the sources;
it is read back (read_committed) when partitions are assigned.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from services.bus.kafka import ensure_topics, probe_cluster
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings
from services.bus.transactional import TransactionalLoop, read_changelog
from services.router.exceptions import RouterError
from services.router.stage import ChildStates, RouterParts, RouterStage


class RouterWorker:
    """One router worker; run several with distinct `instance` names to scale out."""

    def __init__(
        self, settings: BusSettings, parts: RouterParts, app_id: str, instance: str = "0"
    ) -> None:
        """Route for consumer group `app_id`; `instance` makes the transactional id unique."""
        self.settings = settings
        self.parts = parts
        self.app_id = app_id
        self.states = ChildStates(f"{app_id}-children")
        self.stage = RouterStage(parts, self.states)
        self._restored: set[int] = set()
        self.loop = TransactionalLoop(
            settings,
            self,
            app_id,
            f"{app_id}-{instance}",
            parts.topics.sources(parts.policy.agency_ids),
        )

    @property
    def stopping(self) -> asyncio.Event:
        """Set it to stop after the batch in hand."""
        return self.loop.stopping

    async def handle(self, record: Incoming) -> list[Outgoing]:
        """Route one record."""
        return await self.stage.handle(record)

    def on_revoked(self) -> None:
        """Another worker may append to the audit chains now: forget their tails."""
        self.parts.chain.forget()

    async def tick(self, now: datetime) -> list[Outgoing]:  # noqa: ARG002 - nothing is timed
        """The router produces nothing on a timer."""
        return []

    async def on_assigned(self, partitions: set[int]) -> None:
        """Read the state changelog of `partitions` not restored yet (read_committed)."""
        fresh = partitions - self._restored
        for _, key, value in await read_changelog(self.settings, self.states.changelog, fresh):
            self.states.restore(key, value)
        self._restored |= fresh

    async def run(self) -> None:
        """Follow the agreements; once caught up, route until `stopping` is set."""
        await probe_cluster(self.settings.bootstrap, self.settings.connect_timeout_s)
        await ensure_topics(self.settings, [self.states.changelog])
        feed = asyncio.create_task(self.parts.policy.follow(), name="agreement-feed")
        ready = asyncio.create_task(self.parts.policy.ready.wait())
        try:
            await asyncio.wait({feed, ready}, return_when=asyncio.FIRST_COMPLETED)
            if feed.done():
                feed.result()  # the feed failed (e.g. no registry): say why, do not hang
                raise RouterError("the agreement feed stopped before catching up")
            await self.loop.run()
        finally:
            feed.cancel()
            ready.cancel()
