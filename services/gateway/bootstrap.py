"""The one place the gateway's real clients are built: `build_gateway(settings, ...)`.

Nothing connects at import time. The app's lifespan starts the producer,
makes sure the topics exist, replays `identity.links` into the identity index,
catches up with the identity stewards' `identity.merges` (and keeps following
them), starts watching the broker connection, and only then accepts requests;
on shutdown it stops following and watching, flushes and stops the producer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import structlog
from fastapi import FastAPI

from schemas.codec import AvroCodec
from schemas.schema_source import SchemaSource
from schemas.validation import EventValidator
from services.bus import topics
from services.bus.kafka import build_producer, ensure_topics
from services.bus.producer_slot import ProducerSlot
from services.bus.settings import BusSettings
from services.config.files import config_file
from services.gateway.adapters.agency_directory import agency_ids
from services.gateway.adapters.broker_gate import BrokerGate, OutageLimits
from services.gateway.adapters.identity_links import IdentityStage, LinkLog
from services.gateway.adapters.identity_merges import MergeFeed
from services.gateway.adapters.json_body import (
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_NUMBER_CHARS,
    JsonLimits,
)
from services.gateway.adapters.json_events import JsonEventParser
from services.gateway.domain.idempotency import SeenEvents
from services.gateway.domain.publishers import PublisherDirectory
from services.gateway.entrypoints.http import build_http_app
from services.gateway.exceptions import GatewayError
from services.gateway.handlers import Ingest
from services.gateway.settings import GatewaySettings
from services.identity.domain.child_ref import ChildRefKey, ChildRefKeyring
from services.identity.domain.links import IdentityIndex
from services.identity.handlers import IdentityResolver
from services.sdk.deadletters import DeadLetterDecoder
from services.sdk.publisher import Publisher, Receipt
from services.sdk.registry import registry_checks

log = structlog.get_logger("joinedup.gateway")


def keyring_from(settings: BusSettings) -> ChildRefKeyring:
    """The child_ref keyring: version 1 is `JOINEDUP_CHILD_REF_KEY`."""
    return ChildRefKeyring([ChildRefKey(1, settings.child_ref_key.get_secret_value().encode())])


@dataclass(frozen=True)
class GatewayOptions:
    """How one gateway is set up beyond the bus settings."""

    publishers_file: Path | None = None  # None: publishers.yaml of the configuration
    agencies_file: Path | None = None  # None: agencies.yaml of the configuration
    max_body_bytes: int = DEFAULT_MAX_BODY
    max_json_depth: int = DEFAULT_MAX_DEPTH
    max_json_number_chars: int = DEFAULT_MAX_NUMBER_CHARS
    seen_capacity: int = 1_000_000
    links_topic: str = topics.IDENTITY_LINKS
    merges_topic: str = topics.IDENTITY_MERGES
    outage: OutageLimits | None = None  # None: from JOINEDUP_GATEWAY_* (GatewaySettings)

    @property
    def json_limits(self) -> JsonLimits:
        """How much JSON one request may carry."""
        return JsonLimits(self.max_body_bytes, self.max_json_depth, self.max_json_number_chars)


def outage_limits(settings: GatewaySettings) -> OutageLimits:
    """The outage limits of the gateway's environment settings."""
    return OutageLimits(
        settings.publish_timeout_s, settings.probe_interval_s, settings.retry_after_s
    )


def topics_for(directory: PublisherDirectory, links_topic: str) -> list[str]:
    """Topics the gateway writes: each publisher's ingest topic, the links and their dead letter."""
    return [
        *(topics.ingest(agency) for agency in directory.agencies),
        links_topic,
        topics.deadletter(links_topic),
    ]


async def _caught_up(feed: MergeFeed, following: asyncio.Task[None]) -> None:
    """Wait until the merge feed has read to the end it saw at start; raise what stopped it."""
    ready = asyncio.create_task(feed.ready.wait())
    try:
        await asyncio.wait({ready, following}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ready.cancel()
    if following.done():
        following.result()
        raise GatewayError("the identity merge feed stopped before catching up")


def build_gateway(
    settings: BusSettings,
    schema_source: SchemaSource,
    options: GatewayOptions | None = None,
) -> FastAPI:
    """The gateway as an ASGI app; Kafka work happens in its lifespan, not here."""
    options = options or GatewayOptions()
    directory = PublisherDirectory.from_file(
        options.publishers_file or config_file(settings, "publishers.yaml")
    )
    known = agency_ids(options.agencies_file or config_file(settings, "agencies.yaml"))
    codec = AvroCodec(schema_source)
    keyring = keyring_from(settings)
    producer = ProducerSlot(lambda: build_producer(settings))
    gate = BrokerGate(producer, options.outage or outage_limits(GatewaySettings()))
    links = LinkLog(producer, codec, keyring, gate, options.links_topic)
    validator = EventValidator(known_agencies=known | set(directory.agencies))
    state: dict[str, Ingest] = {}

    async def load_index() -> IdentityIndex:
        index = IdentityIndex(keyring)
        count = await links.replay(settings, index, DeadLetterDecoder(codec, producer.current))
        log.info("identity links replayed", topic=options.links_topic, links=count)
        return index

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(
            settings, [*topics_for(directory, options.links_topic), options.merges_topic]
        )
        await producer.start()
        watching: asyncio.Task[None] | None = None
        following: asyncio.Task[None] | None = None
        try:
            index = await load_index()
            feed = MergeFeed(settings, codec, index, options.merges_topic)
            following = asyncio.create_task(feed.run(), name="gateway-merge-feed")
            await _caught_up(feed, following)
            state["ingest"] = Ingest(
                publishers={
                    agency: Publisher(agency, producer, codec, validator)
                    for agency in directory.agencies
                },
                parse=JsonEventParser(),
                identity=IdentityStage(IdentityResolver(keyring, index), links),
                seen=SeenEvents[Receipt](options.seen_capacity),
                bus=gate,
            )
            watching = asyncio.create_task(gate.watch(), name="gateway-broker-watch")
            yield
        finally:
            state.clear()
            for task in (watching, following):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await producer.stop()

    def ingest() -> Ingest:
        try:
            return state["ingest"]
        except KeyError:
            raise GatewayError("the gateway is not started") from None

    return build_http_app(
        ingest,
        directory.authenticate,
        lifespan,
        options.json_limits,
        gate,
        checks=registry_checks(schema_source),
    )
