"""The one place the registry's real clients are built: `build_app(settings, topic=...)`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.bus import topics
from services.bus.readiness import broker_check
from services.bus.settings import BusSettings
from services.observability.http import observe
from services.observability.readiness import Check, Readiness
from services.registry.adapters.kafka_log import KafkaRegistryLog
from services.registry.domain.state import RegistryState
from services.registry.entrypoints.errors import (
    RegistryResponse,
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

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> RegistryResponse:
        """200 while the registry answers (liveness); whether it serves schemas is /readyz."""
        return RegistryResponse({"status": "ok", "topic": log.topic})

    async def following() -> None:
        if not log.following:
            msg = f"not following {log.topic}"
            raise ConnectionError(msg)

    observe(app, "registry", Readiness([broker_check(settings), Check("schemas", following)]))
    return app
