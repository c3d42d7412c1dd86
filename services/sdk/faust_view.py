"""Example: an agency system receiving its view with Faust (docs/receiving-with-faust.md).

`build_view_app` builds a Faust app whose one agent reads `view.<agency>`,
decodes each DisclosedEvent with the bus codec and awaits `on_event(record)`.

Read committed. Faust has no isolation-level setting: its aiokafka consumer
reads `read_committed` exactly when `processing_guarantee="exactly_once"`
(faust/transport/drivers/aiokafka.py, `_create_worker_consumer`, via
`app.in_transaction`, which also needs the app to run in a worker). So the app
is built with that guarantee. The router writes views in transactions; a
`read_uncommitted` reader would see the records of aborted ones. The cost: the
worker commits its offsets through one transactional producer per assigned
partition, with transactional ids `<app_id>-<topic group>-<partition>`.

Delivery is at least once. By default Faust acks an event when the agent
moves past it, even when the agent raised, and restarts a crashed agent: a
failing `on_event` would be logged and dropped. Here acks are manual (after
`on_event` returns) and a `CrashingSupervisor` stops the worker instead, so
the event is read again after a restart; `on_event` must be idempotent on
`event_id`. A message the codec cannot read raises its `ContractError` in the
agent (as the cause of Faust's `ValueDecodeError`) and stops the worker too,
but Faust has acked it before the agent sees the error
(faust/transport/conductor.py): a restarted worker carries on after it, and
the crash log is its only trace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import faust
from mode import CrashingSupervisor

from schemas.schema_source import SchemaSource
from services.bus import topics
from services.bus.faust_app import build_faust_app
from services.bus.settings import BusSettings
from services.sdk.faust_codec import BUS_CODEC_NAME, register_bus_codec

OnEvent = Callable[[dict[str, Any]], Awaitable[None]]


def build_view_app(  # noqa: PLR0913 - the example's inputs, each needed
    settings: BusSettings,
    agency: str,
    source: SchemaSource,
    on_event: OnEvent,
    *,
    app_id: str | None = None,
    codec_name: str = BUS_CODEC_NAME,
) -> faust.App:
    """A Faust app calling `on_event` with each DisclosedEvent of `view.<agency>`, in order.

    Registers the bus codec over `source` under `codec_name` (process-wide).
    The app id, which is also the consumer group, defaults to
    `<agency>-view-reader`. The web server stays off (bound to 127.0.0.1 if
    turned on).
    """
    register_bus_codec(source, codec_name)
    app = build_faust_app(
        settings, app_id or f"{agency}-view-reader", processing_guarantee="exactly_once"
    )
    view = app.topic(
        topics.view(agency), key_type=str, key_serializer="raw", value_serializer=codec_name
    )

    @app.agent(view, supervisor_strategy=CrashingSupervisor)
    async def receive_disclosures(stream: faust.StreamT[dict[str, Any]]) -> None:
        manual = cast("faust.Stream[dict[str, Any]]", stream).noack()
        async for event in manual.events():
            await on_event(event.value)
            await manual.ack(event)

    return app
