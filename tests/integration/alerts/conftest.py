"""Fixtures for the alerts service on the real broker: unique agencies, users, a served app."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import textwrap
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.alerts.domain.users import token_digest
from services.alerts.settings import AlertsSettings
from services.bus import topics
from services.bus.kafka import build_producer, ensure_topics


@pytest.fixture
async def agencies(bus_settings) -> tuple[str, str]:
    """Two agencies unique to this test, with their view topics created."""
    pair = (f"school-{uuid.uuid4().hex[:8]}", f"school-{uuid.uuid4().hex[:8]}")
    await ensure_topics(bus_settings, [topics.view(a) for a in pair])
    return pair


@pytest.fixture
def schema_source() -> InMemorySchemaSource:
    return InMemorySchemaSource()


@pytest.fixture
def codec(schema_source) -> AvroCodec:
    return AvroCodec(schema_source)


@pytest.fixture
async def publish(
    bus_settings, codec
) -> AsyncIterator[Callable[[dict[str, Any]], Awaitable[None]]]:
    """Publish a DisclosedEvent record into its recipient's view, as the router would."""
    producer = build_producer(bus_settings)
    await producer.start()

    async def send(record: dict[str, Any]) -> None:
        value = codec.encode("DisclosedEvent", record)
        await producer.send_and_wait(
            topics.view(record["recipient"]), value, key=record["child_ref"].encode()
        )

    yield send
    await producer.stop()


@pytest.fixture
def users_file(tmp_path: Path, agencies) -> Path:
    """Users: a DSL (manager) and a worker of the first agency, a DSL of the second."""
    first, second = agencies
    path = tmp_path / "duty-users.yaml"
    path.write_text(
        textwrap.dedent(f"""\
        users:
          - {{id: dsl-a, name: DSL A, agency: {first}, role: duty-manager,
              token_sha256: {token_digest("tok-a")}}}
          - {{id: worker-a, name: Worker A, agency: {first}, role: duty-worker,
              token_sha256: {token_digest("tok-worker-a")}}}
          - {{id: dsl-b, name: DSL B, agency: {second}, role: duty-manager,
              token_sha256: {token_digest("tok-b")}}}
        """),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def options(tmp_path: Path, users_file: Path, unique_name) -> AlertsSettings:
    """Settings with a unique acknowledgement topic and no webhooks."""
    hooks = tmp_path / "webhooks.yaml"
    hooks.write_text("webhooks: []\n", encoding="utf-8")
    return AlertsSettings(
        users_file=users_file,
        webhooks_file=hooks,
        acknowledged_topic=unique_name("alerts.acknowledged"),
        webhook_group=unique_name("alerts-webhooks"),
        webhook_base_delay_s=0.05,
        webhook_max_attempts=3,
    )


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """Run `app` with uvicorn on a free 127.0.0.1 port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def eventually(check: Callable[[], Awaitable[Any]], timeout_s: float = 20.0) -> Any:
    """Call `check` until it returns something truthy; fail after `timeout_s`."""
    async with asyncio.timeout(timeout_s):
        while True:
            result = await check()
            if result:
                return result
            await asyncio.sleep(0.1)


@pytest.fixture
def serve() -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[str]]:
    """`async with serve(app) as url:` runs the app on a free local port."""
    return serving


@pytest.fixture
def wait_for() -> Callable[..., Awaitable[Any]]:
    """`await wait_for(check)` polls an async check until it is truthy."""
    return eventually
