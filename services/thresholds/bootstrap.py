"""Build the thresholds worker from settings: the one place its real clients are made."""

from __future__ import annotations

import asyncio
from pathlib import Path

from consent.domain.agency import load_agency_directory
from schemas.codec import AvroCodec
from schemas.schema_source import SchemaSource
from services.bus import topics
from services.bus.kafka import ensure_topics, probe_cluster
from services.bus.settings import BusSettings
from services.bus.transactional import LoopOptions, TransactionalLoop
from services.thresholds.adapters.register_codes import register_codes
from services.thresholds.domain.calendar import load_calendar
from services.thresholds.domain.rules import load_rules
from services.thresholds.processor import Policy, ThresholdsProcessor, ThresholdsTopics

AGENCIES_FILE = Path(__file__).resolve().parents[2] / "deploy" / "config" / "agencies.yaml"


class ThresholdsWorker:
    """The processor on the transactional loop; `stopping` stops it after the batch in hand."""

    def __init__(
        self,
        settings: BusSettings,
        processor: ThresholdsProcessor,
        loop: TransactionalLoop,
        topics_used: list[str],
    ) -> None:
        """Run `processor` on `loop`; `topics_used` are created when missing."""
        self.settings = settings
        self.processor = processor
        self.loop = loop
        self._topics = topics_used

    @property
    def stopping(self) -> asyncio.Event:
        """Set it to stop."""
        return self.loop.stopping

    async def run(self) -> None:
        """Create the topics it uses if needed, then process until stopped."""
        await probe_cluster(self.settings.bootstrap, self.settings.connect_timeout_s)
        await ensure_topics(self.settings, [self.processor.changelog, *self._topics])
        await self.loop.run()


def build_thresholds(  # noqa: PLR0913 - each is one deployment choice
    settings: BusSettings,
    schema_source: SchemaSource,
    *,
    rules_override: Path | None = None,
    agencies_file: Path = AGENCIES_FILE,
    app_id: str = "joinedup-thresholds",
    instance: str = "0",
    names: ThresholdsTopics | None = None,
    options: LoopOptions | None = None,
) -> ThresholdsWorker:
    """A thresholds worker reading every agency's ingest topic and the acknowledgements."""
    names = names or ThresholdsTopics()
    policy = Policy(load_rules(rules_override), load_calendar(), register_codes())
    processor = ThresholdsProcessor(settings, AvroCodec(schema_source), policy, app_id, names)
    agencies = [a.id for a in load_agency_directory(agencies_file).agencies]
    sources = [*(topics.ingest(a) for a in agencies), names.acknowledgements]
    loop = TransactionalLoop(settings, processor, app_id, f"{app_id}-{instance}", sources, options)
    return ThresholdsWorker(settings, processor, loop, [*sources, names.alerts])
