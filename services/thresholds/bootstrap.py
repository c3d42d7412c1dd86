"""Build the thresholds worker from settings: the one place its real clients are made."""

from __future__ import annotations

import asyncio
from pathlib import Path

from consent.domain.agency import load_agency_directory
from schemas.codec import AvroCodec
from schemas.schema_source import SchemaSource
from services.bus import topics
from services.bus.kafka import ensure_topics, probe_cluster
from services.bus.loop_metrics import LoopMetrics
from services.bus.processor import LoopOptions
from services.bus.settings import BusSettings
from services.bus.transactional import TransactionalLoop
from services.config.files import config_file, deployment_file
from services.thresholds.adapters.register_codes import register_codes
from services.thresholds.domain.calendar import DEFAULT_CALENDAR, load_calendar
from services.thresholds.domain.rules import DEFAULT_RULES, load_rules
from services.thresholds.processor import Policy, ThresholdsProcessor, ThresholdsTopics


def rules_override_for(settings: BusSettings, explicit: Path | None) -> Path | None:
    """The override laid over the default rules: `explicit`, else the configuration's own."""
    return explicit or deployment_file(settings, DEFAULT_RULES)


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
        await probe_cluster(self.settings)
        await ensure_topics(self.settings, [self.processor.changelog, *self._topics])
        await self.loop.run()


def build_thresholds(  # noqa: PLR0913 - each is one deployment choice
    settings: BusSettings,
    schema_source: SchemaSource,
    *,
    rules_override: Path | None = None,
    agencies_file: Path | None = None,
    app_id: str = "joinedup-thresholds",
    instance: str = "0",
    names: ThresholdsTopics | None = None,
    options: LoopOptions | None = None,
) -> ThresholdsWorker:
    """A thresholds worker reading every agency's ingest topic, the acknowledgements and merges.

    Unset files come from the configuration (`config_file`): agencies.yaml,
    school-calendar.yaml, and threshold-rules.yaml laid over the default rules.
    The worker also reads its own hand-over topic (`<app_id>-handovers`).
    """
    names = names or ThresholdsTopics()
    rules = load_rules(rules_override_for(settings, rules_override))
    policy = Policy(rules, load_calendar(config_file(settings, DEFAULT_CALENDAR)), register_codes())
    processor = ThresholdsProcessor(settings, AvroCodec(schema_source), policy, app_id, names)
    directory = load_agency_directory(agencies_file or config_file(settings, "agencies.yaml"))
    agencies = [a.id for a in directory.agencies]
    sources = [
        *(topics.ingest(a) for a in agencies),
        names.acknowledgements,
        names.merges,
        processor.handovers,
    ]
    counted = LoopMetrics(app_id, alert_topics=[names.alerts])
    instance_id = f"{app_id}-{instance}"
    loop = TransactionalLoop(
        settings, processor, app_id, instance_id, sources, options, metrics=counted
    )
    dead_letters = [topics.deadletter(names.merges), topics.deadletter(processor.handovers)]
    return ThresholdsWorker(settings, processor, loop, [*sources, names.alerts, *dead_letters])
