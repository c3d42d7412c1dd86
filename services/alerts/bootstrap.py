"""The one place the alerts service's real clients are built.

Nothing connects at import time. `build_app` wires the use cases to Kafka;
its lifespan creates missing topics, starts the producer, the board feed
(replaying the views from the beginning) and the webhook relay, and stops
them on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from schemas.codec import AvroCodec
from schemas.registry_client import RegistryClient
from schemas.schema_source import SchemaSource
from schemas.validation import LOCAL_ZONE, EventValidator
from services.alerts.adapters.acknowledgements import KafkaAcknowledgementSink
from services.alerts.adapters.board_feed import BoardFeed
from services.alerts.adapters.config_files import (
    load_duty_users,
    load_webhook_targets,
    load_webhooks,
)
from services.alerts.adapters.disagreements import KafkaDisagreementSink
from services.alerts.adapters.records import RecordCodec
from services.alerts.adapters.referral_feed import ReferralFeed, agency_kinds
from services.alerts.adapters.webhook_relay import Redelivered, WebhookRelay
from services.alerts.adapters.webhook_replay import replay_dead_letters
from services.alerts.adapters.webhooks import WebhookSender
from services.alerts.domain.board import AlertBoards
from services.alerts.domain.delivery import RetryPolicy
from services.alerts.domain.partnership import PartnershipLedger
from services.alerts.domain.referrals import ReferralBook
from services.alerts.entrypoints.auth import Authenticator, Sessions
from services.alerts.entrypoints.feed import FeedHub
from services.alerts.entrypoints.web import build_web_app
from services.alerts.handlers import AlertsContext
from services.alerts.referral_handlers import ReferralsContext
from services.alerts.settings import AlertsSettings
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics, partitions_of
from services.bus.producer_slot import ProducerSlot
from services.bus.readiness import broker_check
from services.bus.settings import BusSettings
from services.sdk.registry import registry_checks

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time, UTC-aware."""
    return dt.datetime.now(dt.UTC)


def schema_source_for(settings: BusSettings) -> SchemaSource:
    """The bus's schema registry at `JOINEDUP_REGISTRY_URL`."""
    return RegistryClient(settings.registry_url)


def build_tail_consumer(settings: BusSettings, agency: str, *, from_beginning: bool) -> Any:
    """A group-less consumer of one agency's view, from the start or from now."""
    reset = "earliest" if from_beginning else "latest"
    return build_consumer(settings, topics.view(agency), group_id=None, auto_offset_reset=reset)


def _relay(  # noqa: PLR0913 - the relay's parts, each built by the caller
    settings: BusSettings,
    options: AlertsSettings,
    codec: RecordCodec,
    producer: Any,
    clock: Clock,
    *,
    consumer: Any = None,
) -> tuple[WebhookRelay | None, httpx.AsyncClient]:
    """The webhook relay (None when no webhook is configured) and its HTTP client.

    `consumer` reads the views (default: the relay's group over every view with
    a webhook); the replay passes its own, of the dead letters.
    """
    client = httpx.AsyncClient(timeout=options.webhook_timeout_s, follow_redirects=False)
    targets = load_webhook_targets(
        options.webhooks_path(settings), options.view_webhooks_path(settings)
    )
    if not targets.agencies:
        return None, client
    policy = RetryPolicy(
        options.webhook_max_attempts, options.webhook_base_delay_s, options.webhook_max_delay_s
    )
    if consumer is None:
        views = (topics.view(agency) for agency in targets.agencies)
        consumer = build_consumer(settings, *views, group_id=options.webhook_group)
    sender = WebhookSender(client, options.webhook_secret, policy)
    relay = WebhookRelay(
        consumer,
        producer,
        codec=codec,
        sender=sender,
        targets=targets,
        deadletter_topic=options.deadletter_topic,
        clock=clock,
    )
    return relay, client


async def replay_webhooks(
    settings: BusSettings,
    options: AlertsSettings | None = None,
    schema_source: SchemaSource | None = None,
    clock: Clock = utc_now,
) -> dict[Redelivered, int]:
    """Send every webhook dead letter again (`joinedup alerts webhooks replay`); count outcomes."""
    options = (options or AlertsSettings()).check_for(settings)
    codec = RecordCodec.from_source(schema_source or schema_source_for(settings))
    topic = options.deadletter_topic
    await ensure_topics(settings, [topic])
    producer = build_producer(settings)
    consumer = build_consumer(settings, group_id=options.webhook_replay_group)
    relay, client = _relay(settings, options, codec, producer, clock, consumer=consumer)
    outcomes: dict[Redelivered, int] = {"delivered": 0, "failed": 0, "skipped": 0}
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(client.aclose)
        if relay is None:
            return outcomes
        await producer.start()
        stack.push_async_callback(producer.stop)
        await consumer.start()
        stack.push_async_callback(consumer.stop)
        partitions = await partitions_of(settings, topic)
        outcomes.update(await replay_dead_letters(consumer, relay, topic, partitions))
    return outcomes


def _referrals(  # noqa: PLR0913 - the referral loop's parts, each built by the caller
    settings: BusSettings,
    options: AlertsSettings,
    source: SchemaSource,
    *,
    producer: Any,
    agencies: tuple[str, ...],
    clock: Clock,
) -> tuple[ReferralsContext, ReferralFeed, list[str]]:
    """The referral loop's use-case context, its view feed and the topics both use."""
    codec = AvroCodec(source)
    kinds = agency_kinds(options.agencies_path(settings))
    ledger = PartnershipLedger(kinds, ZoneInfo(LOCAL_ZONE))
    book = ReferralBook()
    validator = EventValidator(known_agencies=kinds)
    disagreements = topics.ingest(options.publisher_agency)
    sink = KafkaDisagreementSink(producer, codec, validator, disagreements)
    ctx = ReferralsContext(book, ledger, sink, clock, options.partnership_minimum_cell)
    names = ReferralFeed.topic_names(agencies, options.partnership_agency)
    consumer = build_consumer(settings, *names, group_id=None)
    feed = ReferralFeed(consumer, codec, book, ledger, options.partnership_agency)
    return ctx, feed, [*names, disagreements]


def build_app(
    settings: BusSettings,
    options: AlertsSettings | None = None,
    schema_source: SchemaSource | None = None,
    clock: Clock = utc_now,
) -> FastAPI:
    """The alerts service as an ASGI app; Kafka work happens in its lifespan."""
    options = (options or AlertsSettings()).check_for(settings)
    users = load_duty_users(options.duty_users_path(settings))
    codec = RecordCodec.from_source(schema_source or schema_source_for(settings))
    webhook_agencies = tuple(load_webhooks(options.webhooks_path(settings)))
    boards = AlertBoards({*users.agencies, *webhook_agencies})
    hub = FeedHub()
    producer = ProducerSlot(lambda: build_producer(settings))
    sink = KafkaAcknowledgementSink(producer, codec, options.acknowledged_topic, clock)
    ctx = AlertsContext(boards, sink, hub.publish, clock)
    feed_topics = BoardFeed.topic_names(boards, options.acknowledged_topic)
    consumer = build_consumer(settings, *feed_topics, group_id=None)
    feed = BoardFeed(consumer, codec, boards, options.acknowledged_topic, hub.publish)
    relay, http_client = _relay(settings, options, codec, producer, clock)
    source = schema_source or schema_source_for(settings)
    referrals, referral_feed, referral_topics = _referrals(
        settings, options, source, producer=producer, agencies=boards.agencies, clock=clock
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(settings, [*feed_topics, *referral_topics, options.deadletter_topic])
        await producer.start()
        tasks = [asyncio.create_task(feed.run(), name="alerts-board-feed")]
        tasks.append(asyncio.create_task(referral_feed.run(), name="alerts-referral-feed"))
        if relay is not None:
            tasks.append(asyncio.create_task(relay.run(), name="alerts-webhook-relay"))
        app.state.feed = feed
        app.state.referral_feed = referral_feed
        app.state.relay = relay
        try:
            yield
        finally:
            hub.close()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await http_client.aclose()
            await producer.stop()

    sessions = Sessions(dt.timedelta(hours=options.session_hours), clock)
    auth = Authenticator(users, sessions)
    return build_web_app(
        ctx,
        auth,
        hub,
        lifespan,
        secure_cookies=options.secure_cookies,
        referrals=referrals,
        checks=[broker_check(settings), *registry_checks(source)],
    )
