"""Build the router from settings: the one place its real clients are made."""

from __future__ import annotations

from pathlib import Path

import faust

from consent.domain.agency import AgencyDirectory, load_agency_directory
from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.schema_source import SchemaSource
from services.bus import topics
from services.bus.kafka import build_consumer, ensure_topics
from services.bus.settings import BusSettings
from services.router.adapters.agreements import AgreementFeed
from services.router.adapters.chain_tails import ChainTails
from services.router.app import RouterParts, RouterTopics, build_router_app
from services.router.policy import LivePolicy

AGENCIES_FILE = Path(__file__).resolve().parents[2] / "deploy" / "config" / "agencies.yaml"


def topics_for(directory: AgencyDirectory) -> list[str]:
    """Every topic the router reads or writes, for creation before it starts."""
    per_agency = [t for a in directory.agencies for t in (topics.ingest(a.id), topics.view(a.id))]
    return [
        topics.AUDIT_DISCLOSURES,
        topics.ALERTS_RAISED,
        topics.CONSENT_AGREEMENTS,
        topics.CONSENT_DIRECTIVES,
        *per_agency,
    ]


async def prepare_router_topics(settings: BusSettings, agencies_file: Path = AGENCIES_FILE) -> None:
    """Create the router's topics that do not exist yet."""
    await ensure_topics(settings, topics_for(load_agency_directory(agencies_file)))


def build_router(
    settings: BusSettings,
    schema_source: SchemaSource,
    agencies_file: Path = AGENCIES_FILE,
    app_id: str = "joinedup-router",
    router_topics: RouterTopics | None = None,
) -> faust.App:
    """The router app with its agreement feed and audit chain reader."""
    names = router_topics or RouterTopics()
    catalogue = Catalogue.load()
    codec = AvroCodec(schema_source, catalogue)
    policy = LivePolicy(load_agency_directory(agencies_file))
    policy.attach(AgreementFeed(settings, codec, policy.replace, names.agreements))
    chain = ChainTails(build_consumer(settings, group_id=None), codec, names.audit)
    parts = RouterParts(codec, catalogue, policy, chain, names)
    return build_router_app(settings, parts, app_id)
