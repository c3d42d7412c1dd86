import asyncio

import pytest
from aiokafka.errors import KafkaConnectionError, OutOfOrderSequenceNumber
from fakes.kafka import FakeProducer

from services.bus.producer_slot import ProducerSlot, failed_for_good
from services.gateway.adapters.broker_gate import BrokerGate
from services.gateway.exceptions import UnavailableError
from services.sdk.exceptions import PublishError


class StartableProducer(FakeProducer):
    """A working fake producer that records being started and stopped."""

    started = stopped = False

    async def start(self):
        self.started = True

    async def stop(self):
        self.stopped = True


class EndedProducer(StartableProducer):
    """A producer whose sender ended on an out-of-order sequence: every send raises it."""

    async def send(self, topic, value=None, key=None, headers=None):
        raise OutOfOrderSequenceNumber


class Builds:
    """Hands out the given producers in order, one per build."""

    def __init__(self, *producers):
        self.producers = list(producers)

    def __call__(self):
        return self.producers.pop(0)


async def _settle():
    for task in asyncio.all_tasks() - {asyncio.current_task()}:
        await task


class TestFailedForGood:
    def test_an_ended_sender_is_recognised_through_wrapping(self):
        """OutOfOrderSequenceNumber, even wrapped as the SDK's PublishError, ends a producer."""
        wrapped = PublishError("not written")
        wrapped.__cause__ = OutOfOrderSequenceNumber()
        assert failed_for_good(wrapped)

    def test_a_lost_connection_is_not(self):
        """A connection error is the broker's state, not the producer's end."""
        assert not failed_for_good(KafkaConnectionError())


class TestRenewal:
    async def test_a_producer_that_failed_for_good_is_replaced(self):
        """The write is refused (503); the next one goes through a fresh, started producer."""
        ended, fresh = EndedProducer(), StartableProducer()
        slot = ProducerSlot(Builds(ended, fresh))
        gate = BrokerGate(slot)

        async def send_one():
            return [await slot.send("ingest.school-1", b"v", key=b"k")]

        with pytest.raises(UnavailableError):
            await gate.written(send_one)
        await _settle()
        assert slot.current is fresh
        assert fresh.started
        assert ended.stopped
        assert gate.reachable
        assert len(await gate.written(send_one)) == 1
        assert [sent.topic for sent in fresh.sent] == ["ingest.school-1"]

    async def test_one_failure_seen_twice_replaces_once(self):
        """Two requests failing on the same producer make one replacement."""
        slot = ProducerSlot(Builds(EndedProducer(), StartableProducer(), StartableProducer()))
        slot.renew(0)
        slot.renew(0)
        await _settle()
        assert slot.generation == 1


class EndedOnWait(StartableProducer):
    """A producer whose sender ended: `send_and_wait` raises OutOfOrderSequenceNumber."""

    async def send_and_wait(self, topic, value=None, key=None, headers=None, partition=None):
        raise OutOfOrderSequenceNumber


class Unreachable(StartableProducer):
    """A producer that cannot reach the broker: `send_and_wait` raises a connection error."""

    async def send_and_wait(self, topic, value=None, key=None, headers=None, partition=None):
        raise KafkaConnectionError


class TestSendAndWait:
    async def test_a_fatal_error_renews_the_producer_and_still_reaches_the_caller(self):
        """The failed write is reported; the next write goes through a fresh producer."""
        ended, fresh = EndedOnWait(), StartableProducer()
        slot = ProducerSlot(Builds(ended, fresh))
        with pytest.raises(OutOfOrderSequenceNumber):
            await slot.send_and_wait("alerts.acknowledged", b"v", key=b"k")
        assert slot.current is fresh
        assert slot.generation == 1
        assert fresh.started
        assert ended.stopped
        sent = await slot.send_and_wait("alerts.acknowledged", b"w", key=b"k", partition=2)
        assert (sent.topic, sent.value, sent.partition) == ("alerts.acknowledged", b"w", 2)

    async def test_a_passing_outage_does_not_renew(self):
        """A connection error is the broker's state: the same producer stays in the slot."""

        down = Unreachable()
        slot = ProducerSlot(Builds(down))
        with pytest.raises(KafkaConnectionError):
            await slot.send_and_wait("alerts.acknowledged", b"v")
        assert slot.current is down
        assert slot.generation == 0
