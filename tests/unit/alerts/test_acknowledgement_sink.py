"""Publishing an acknowledgement waits a bounded time: an outage is a clear retry, not a hang."""

import asyncio
import datetime as dt

import pytest
from aiokafka.errors import KafkaTimeoutError
from fakes.kafka import FakeProducer

from schemas.schema_source import InMemorySchemaSource
from services.alerts.adapters.acknowledgements import KafkaAcknowledgementSink
from services.alerts.adapters.records import RecordCodec
from services.alerts.exceptions import BusUnavailableError

NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


class HangingProducer(FakeProducer):
    """A producer whose broker never answers."""

    async def send_and_wait(self, topic, value=None, key=None, headers=None, partition=None):
        await asyncio.Event().wait()


class RefusingProducer(FakeProducer):
    """A producer whose write fails with a Kafka error."""

    async def send_and_wait(self, topic, value=None, key=None, headers=None, partition=None):
        raise KafkaTimeoutError


def _sink(producer, timeout_s=0.05):
    codec = RecordCodec.from_source(InMemorySchemaSource())
    return KafkaAcknowledgementSink(producer, codec, "alerts.acknowledged", lambda: NOW, timeout_s)


class TestBoundedPublish:
    async def test_a_written_acknowledgement_lands_keyed_by_child(self, make_ack):
        """With the broker up, the record is written under the child's key."""
        producer = FakeProducer()
        ack = make_ack("a-1")
        await _sink(producer).publish(ack)
        assert [(s.topic, s.key) for s in producer.sent] == [
            ("alerts.acknowledged", ack.child_ref.encode())
        ]

    @pytest.mark.parametrize("producer", [HangingProducer(), RefusingProducer()])
    async def test_an_unanswered_or_refused_write_is_bus_unavailable(self, producer, make_ack):
        """No answer in time, or a Kafka error, is BusUnavailableError (503), never a hang."""
        with pytest.raises(BusUnavailableError, match="try again"):
            await _sink(producer).publish(make_ack("a-1"))
