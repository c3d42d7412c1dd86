"""The router worker: the agreement feed plus the router processor on the transactional loop.

Per-child state lives in memory for the partitions this worker owns and in the
compacted changelog `<app_id>-children`, partitioned like the sources; the
loop has it restored every time a partition is assigned (docs/router.md).
"""

from __future__ import annotations

import asyncio

from services.bus import topics
from services.bus.kafka import ensure_topics, probe_cluster
from services.bus.loop_metrics import LoopMetrics
from services.bus.processor import LoopOptions
from services.bus.settings import BusSettings
from services.bus.transactional import TransactionalLoop
from services.router.exceptions import RouterError
from services.router.stage import RouterParts, RouterProcessor


class RouterWorker:
    """One router worker; run several with the same app id to scale out."""

    def __init__(
        self,
        settings: BusSettings,
        parts: RouterParts,
        app_id: str,
        instance: str,
        options: LoopOptions | None = None,
    ) -> None:
        """Route for consumer group `app_id`; `instance` makes the transactional id unique."""
        self.settings = settings
        self.parts = parts
        self.app_id = app_id
        self.processor = RouterProcessor(
            settings, parts, topics.changelog(app_id), topics.handovers(app_id)
        )
        self.loop = TransactionalLoop(
            settings,
            self.processor,
            app_id,
            f"{app_id}-{instance}",
            [*parts.topics.sources(parts.policy.agency_ids), self.processor.handovers],
            options,
            copartitioned=[parts.topics.audit],
            metrics=LoopMetrics(app_id, alert_topics=(), staged=[self.processor.decisions]),
        )

    @property
    def stopping(self) -> asyncio.Event:
        """Set it to stop after the batch in hand."""
        return self.loop.stopping

    async def run(self) -> None:
        """Follow the agreements; once caught up, route until `stopping` is set."""
        await probe_cluster(self.settings)
        handovers = self.processor.handovers
        await ensure_topics(
            self.settings,
            [
                self.processor.changelog,
                handovers,
                self.parts.topics.merges,
                topics.deadletter(handovers),
                topics.deadletter(self.parts.topics.merges),
            ],
        )
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
