"""Build the router from settings: the one place its real clients are made."""

from __future__ import annotations

from pathlib import Path

from consent.domain.agency import AgencyDirectory, load_agency_directory
from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.schema_source import SchemaSource
from services.audit.chain_tails import ChainTails
from services.bus import topics
from services.bus.kafka import ensure_topics
from services.bus.processor import LoopOptions
from services.bus.settings import BusSettings
from services.config.files import config_file
from services.router.adapters.agreements import AgreementFeed
from services.router.policy import LivePolicy
from services.router.stage import RouterParts, RouterTopics
from services.router.worker import RouterWorker


def topics_for(directory: AgencyDirectory, names: RouterTopics) -> list[str]:
    """Every topic the router reads or writes, for creation before it starts."""
    per_agency = [t for a in directory.agencies for t in (topics.ingest(a.id), topics.view(a.id))]
    return [
        names.audit,
        names.alerts,
        names.agreements,
        names.directives,
        names.merges,
        *per_agency,
    ]


async def prepare_router_topics(
    settings: BusSettings, agencies_file: Path | None = None, names: RouterTopics | None = None
) -> None:
    """Create the router's topics that do not exist yet (agencies: the configuration's)."""
    directory = load_agency_directory(agencies_file or config_file(settings, "agencies.yaml"))
    await ensure_topics(settings, topics_for(directory, names or RouterTopics()))


def build_router(  # noqa: PLR0913, PLR0917 - each names one deployment choice
    settings: BusSettings,
    schema_source: SchemaSource,
    agencies_file: Path | None = None,
    app_id: str = "joinedup-router",
    router_topics: RouterTopics | None = None,
    instance: str = "0",
    options: LoopOptions | None = None,
) -> RouterWorker:
    """A router worker with its agreement feed and audit chain reader.

    `agencies_file` None: agencies.yaml of the configuration (`config_file`).
    """
    names = router_topics or RouterTopics()
    catalogue = Catalogue.load()
    codec = AvroCodec(schema_source, catalogue)
    directory = load_agency_directory(agencies_file or config_file(settings, "agencies.yaml"))
    policy = LivePolicy(directory)
    policy.attach(AgreementFeed(settings, codec, policy.replace, names.agreements))
    chain = ChainTails(settings, codec, names.audit)
    parts = RouterParts(codec, catalogue, policy, chain, names)
    return RouterWorker(settings, parts, app_id, instance, options)
