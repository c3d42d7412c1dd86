"""The one place the view feed's real clients are built: `build_view_feed(settings, ...)`.

Nothing connects at import time. The app's lifespan makes sure the readers'
views exist and stops the pooled consumers on shutdown; consumers are started
on a view's first request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI

from schemas.codec import AvroCodec
from schemas.schema_source import SchemaSource
from services.bus import topics
from services.bus.kafka import build_consumer, ensure_topics, partitions_of
from services.bus.readiness import broker_check
from services.bus.settings import BusSettings
from services.sdk.registry import registry_checks
from services.view_feed.adapters.readers_file import load_view_readers
from services.view_feed.adapters.view_reader import ViewReaderPool
from services.view_feed.entrypoints.http import build_http_app
from services.view_feed.exceptions import ViewFeedError
from services.view_feed.handlers import ViewFeedContext
from services.view_feed.settings import ViewFeedSettings

FETCH_HOLD_MS = 50


def build_view_feed(
    settings: BusSettings,
    schema_source: SchemaSource,
    options: ViewFeedSettings | None = None,
) -> FastAPI:
    """The view feed as an ASGI app; Kafka work happens in its lifespan and requests."""
    options = options or ViewFeedSettings()
    readers = load_view_readers(options.readers_path(settings))
    pool = ViewReaderPool(
        # A page that drains one partition must not wait out the broker's hold on an
        # idle partition's fetch before fetching the others again (aiokafka sends one
        # fetch per broker at a time): hold fetches briefly. New records end the hold.
        lambda: build_consumer(settings, group_id=None, fetch_max_wait_ms=FETCH_HOLD_MS),
        partial(partitions_of, settings),
        options.readers_per_agency,
    )
    context = ViewFeedContext(
        readers=readers,
        pool=pool,
        codec=AvroCodec(schema_source),
        retry_after_s=options.retry_after_s,
        timeout_s=settings.connect_timeout_s * 2,
    )
    state: dict[str, ViewFeedContext] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await ensure_topics(settings, [topics.view(agency) for agency in readers.agencies])
        state["context"] = context
        try:
            yield
        finally:
            state.clear()
            await pool.close()

    def current() -> ViewFeedContext:
        try:
            return state["context"]
        except KeyError:
            raise ViewFeedError("the view feed is not started") from None

    return build_http_app(
        current,
        lifespan,
        max_page=options.max_page,
        max_wait_s=options.max_wait_s,
        checks=[broker_check(settings), *registry_checks(schema_source)],
    )
