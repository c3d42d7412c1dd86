"""A consumer stopped at once after its start stops cleanly (aiokafka's unstarted coordinator)."""

from __future__ import annotations

import pytest

from services.bus.kafka import build_consumer, stop_consumer

pytestmark = pytest.mark.integration


async def test_a_consumer_stopped_right_after_start_stops_without_cancelling_its_caller(
    bus_settings,
):
    """Start then stop with nothing between: stopped, closed, and no CancelledError.

    The consent service's replay of topics not yet described did exactly this,
    and its start-up failed with CancelledError.
    """
    consumer = build_consumer(bus_settings, group_id=None)
    await consumer.start()

    await stop_consumer(consumer)

    assert consumer._closed
