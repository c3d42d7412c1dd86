"""The one place the registry's real clients are built: `build_app(settings, topic=...)`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.bus import topics
from services.bus.settings import BusSettings
from services.registry.adapters.kafka_log import KafkaRegistryLog
from services.registry.domain.state import RegistryState
from services.registry.entrypoints.errors import (
    ErrorBody,
    RegistryResponse,
    error_response,
    install_error_handlers,
)
from services.registry.entrypoints.http import build_router
from services.registry.handlers import SchemaRegistry


def build_app(settings: BusSettings, topic: str = topics.SCHEMAS) -> FastAPI:
    """The registry as an ASGI app; it replays `topic` on startup and follows it while up."""
    state = RegistryState()
    log = KafkaRegistryLog(settings, state, topic)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await log.start()
        try:
            yield
        finally:
            await log.stop()

    app = FastAPI(
        title="Joined-up schema registry",
        summary="Confluent Schema Registry REST subset, backed by a compacted Kafka topic.",
        default_response_class=RegistryResponse,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(build_router(SchemaRegistry(state, log)))

    @app.get(
        "/healthz",
        responses={503: {"model": ErrorBody, "description": "not following its topic"}},
    )
    async def healthz() -> RegistryResponse:
        """Ready when the topic is replayed and still followed; 503 otherwise."""
        if not log.following:
            return error_response(503, 50301, f"the registry is not following {log.topic}")
        return RegistryResponse({"status": "ok", "topic": log.topic})

    return app
