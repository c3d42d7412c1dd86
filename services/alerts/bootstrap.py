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

import httpx
from fastapi import FastAPI

from schemas.registry_client import RegistryClient
from schemas.schema_source import SchemaSource
from services.alerts.adapters.acknowledgements import KafkaAcknowledgementSink
from services.alerts.adapters.board_feed import BoardFeed
from services.alerts.adapters.config_files import load_duty_users, load_webhooks
from services.alerts.adapters.records import RecordCodec
from services.alerts.adapters.webhook_relay import WebhookRelay
from services.alerts.adapters.webhooks import WebhookSender
from services.alerts.domain.board import AlertBoards
from services.alerts.domain.delivery import RetryPolicy
from services.alerts.entrypoints.auth import Authenticator, Sessions
from services.alerts.entrypoints.feed import FeedHub
from services.alerts.entrypoints.web import build_web_app
from services.alerts.handlers import AlertsContext
from services.alerts.settings import AlertsSettings
from services.bus import topics
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.bus.producer_slot import ProducerSlot
from services.bus.settings import BusSettings

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


def _relay(
    settings: BusSettings,
    options: AlertsSettings,
    codec: RecordCodec,
    producer: Any,
    clock: Clock,
) -> tuple[WebhookRelay | None, httpx.AsyncClient]:
    client = httpx.AsyncClient(timeout=options.webhook_timeout_s, follow_redirects=False)
    targets = load_webhooks(options.webhooks_path(settings))
    if not targets:
        return None, client
    policy = RetryPolicy(
        options.webhook_max_attempts, options.webhook_base_delay_s, options.webhook_max_delay_s
    )
    consumer = build_consumer(
        settings, *(topics.view(a) for a in sorted(targets)), group_id=options.webhook_group
    )
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

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(settings, [*feed_topics, options.deadletter_topic])
        await producer.start()
        tasks = [asyncio.create_task(feed.run(), name="alerts-board-feed")]
        if relay is not None:
            tasks.append(asyncio.create_task(relay.run(), name="alerts-webhook-relay"))
        app.state.feed = feed
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
    return build_web_app(ctx, auth, hub, lifespan, secure_cookies=options.secure_cookies)
