"""Fixtures for the alerts service on the real broker: unique agencies, users, a served app."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord
from fastapi import FastAPI
from rigs.serving import serving
from rigs.views import PublishToView, new_schools, view_publisher

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.alerts.domain.users import token_digest
from services.alerts.settings import AlertsSettings
from services.bus.kafka import build_consumer
from services.bus.settings import BusSettings


@pytest.fixture
async def agencies(bus_settings) -> tuple[str, ...]:
    """Two agencies unique to this test, with their view topics created."""
    return await new_schools(bus_settings)


@pytest.fixture
def schema_source() -> InMemorySchemaSource:
    return InMemorySchemaSource()


@pytest.fixture
def codec(schema_source) -> AvroCodec:
    return AvroCodec(schema_source)


@pytest.fixture
async def publish(bus_settings, codec) -> AsyncIterator[PublishToView]:
    """Publish a DisclosedEvent record into its recipient's view, as the router would."""
    async with view_publisher(bus_settings, codec) as send:
        yield send


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


async def first_record(
    settings: BusSettings,
    topic: str,
    matches: Callable[[ConsumerRecord], bool] = lambda _: True,
    timeout_s: float = 20.0,
) -> ConsumerRecord:
    """The first record of `topic`, read from its start, that `matches`."""
    consumer = build_consumer(settings, topic, group_id=None)
    await consumer.start()
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                message = await consumer.getone()
                if matches(message):
                    return message
    finally:
        await consumer.stop()


@pytest.fixture
def read_first(bus_settings) -> Callable[..., Awaitable[ConsumerRecord]]:
    """`await read_first(topic, matches)`: the first record of a topic that matches."""
    return functools.partial(first_record, bus_settings)
