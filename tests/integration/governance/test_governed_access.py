"""Each principal of a governed cluster can do its part of the data flow and nothing else.

The cluster is this module's own broker after `acl provision`, `topics apply`
and `acl apply`; every client signs in with the client file provisioning wrote.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from confluent_kafka import Consumer, KafkaError, Producer
from confluent_kafka.admin import AdminClient, ConfigResource

from services.bus import topics
from services.bus.child_store import ChildStore, StateCodec
from services.bus.kafka import build_producer, ensure_topics
from services.bus.partition_reader import records_to_end
from services.bus.processor import LoopOptions
from services.bus.records import Incoming, Outgoing
from services.bus.stateful import ChildProcessor
from services.bus.topic_policy import TopicCreationRefusedError
from services.bus.transactional import TransactionalLoop

pytestmark = pytest.mark.integration
SCHOOL, POLICE = "school-a", "police-b"
GATEWAY, ROUTER = "joinedup.gateway", "joinedup.router"


def first_error_or_record(consumer: Consumer, seconds: float = 20.0) -> KafkaError | bytes:
    """The first error the consumer reports, or the value of the first record it reads."""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            error = message.error()
            if error is not None and error.code() != KafkaError._PARTITION_EOF:
                return error
            if error is None:
                return message.value() or b""
    finally:
        consumer.close()
    raise AssertionError("neither an error nor a record within the time allowed")


def subscribed(governed, principal: str, topic: str, group: str) -> Consumer:
    """A consumer of `principal` in `group`, subscribed to `topic`."""
    consumer = Consumer(
        governed.options(principal, **{"group.id": group, "auto.offset.reset": "earliest"})
    )
    consumer.subscribe([topic])
    return consumer


def metadata_error(governed, principal: str, topic: str) -> KafkaError | None:
    """The error the cluster answers `principal` asking for `topic`'s metadata.

    Group-less readers (as the services read) learn of a refused topic only from
    metadata: READ implies DESCRIBE, so a topic refused here cannot be read.
    """
    admin = AdminClient(governed.options(principal))
    return admin.list_topics(topic=topic, timeout=15).topics[topic].error


def delivery_error(governed, principal: str, topic: str) -> KafkaError | None:
    """What the broker answers `principal` writing one record to `topic`."""
    outcome: list[KafkaError | None] = []
    producer = Producer(governed.options(principal, **{"message.timeout.ms": 10_000}))
    producer.produce(topic, b"x", on_delivery=lambda error, _message: outcome.append(error))
    producer.flush(15)
    assert len(outcome) == 1
    return outcome[0]


class TestAgencyPrincipal:
    def test_an_agency_reads_its_own_view_in_a_group_of_its_own(self, governed):
        """school-a, group `school-a-reader`: the router's record on view.school-a arrives."""
        assert delivery_error(governed, ROUTER, topics.view(SCHOOL)) is None
        consumer = subscribed(governed, SCHOOL, topics.view(SCHOOL), f"{SCHOOL}-reader")
        read = first_error_or_record(consumer)
        assert not isinstance(read, KafkaError), read
        assert read in {b"x", b"e0"}  # this test's record, or the loop test's first

    @pytest.mark.parametrize(
        "topic",
        [
            topics.view(POLICE),
            topics.ingest(SCHOOL),
            topics.AUDIT_DISCLOSURES,
            topics.IDENTITY_LINKS,
        ],
    )
    def test_an_agency_may_read_nothing_else(self, governed, topic):
        """Another view, its own ingest, the audit, the identity links: authorisation fails."""
        probe = subscribed(governed, SCHOOL, topic, f"{SCHOOL}-probe")
        error = first_error_or_record(probe)
        assert isinstance(error, KafkaError)
        assert error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED

    @pytest.mark.parametrize(
        "topic",
        [topics.ingest(POLICE), topics.ingest(SCHOOL), topics.view(SCHOOL), "school-a-scratch"],
    )
    def test_an_agency_may_write_no_topic(self, governed, topic):
        """Not another agency's ingest, not its own, not its view, not a topic of its name."""
        error = delivery_error(governed, SCHOOL, topic)
        assert error is not None
        assert error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED

    @pytest.mark.parametrize("group", [f"{POLICE}-reader", "view-reader", SCHOOL])
    def test_an_agency_may_not_join_a_group_outside_its_prefix(self, governed, group):
        """Groups not named `school-a-...` are refused, whatever the topic."""
        error = first_error_or_record(subscribed(governed, SCHOOL, topics.view(SCHOOL), group))
        assert isinstance(error, KafkaError)
        assert error.code() == KafkaError.GROUP_AUTHORIZATION_FAILED


class TestServicePrincipals:
    def test_the_gateway_may_not_read_a_view(self, governed):
        """The gateway writes ingest topics; what agencies may see is not its to read."""
        error = metadata_error(governed, GATEWAY, topics.view(SCHOOL))
        assert error is not None
        assert error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
        assert metadata_error(governed, GATEWAY, topics.ingest(SCHOOL)) is None

    def test_the_router_may_not_write_identity_links(self, governed):
        """Only the gateway records identity links."""
        error = delivery_error(governed, ROUTER, topics.IDENTITY_LINKS)
        assert error is not None
        assert error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED

    async def test_the_gateway_publishes_with_its_idempotent_producer(self, governed):
        """The gateway's own producer (idempotent, acks=all) writes ingest.school-a."""
        producer = build_producer(governed.settings(GATEWAY))
        await producer.start()
        try:
            sent = await producer.send_and_wait(topics.ingest(SCHOOL), b"event", key=b"cr1")
        finally:
            await producer.stop()
        assert sent.topic == topics.ingest(SCHOOL)

    async def test_a_service_finds_its_topics_and_may_not_create_others(self, governed):
        """ensure_topics as the router: its topics exist; a new view names `topics apply`."""
        router = governed.settings(ROUTER)
        await ensure_topics(router, [topics.view(SCHOOL), topics.AUDIT_DISCLOSURES])
        with pytest.raises(TopicCreationRefusedError) as refused:
            await ensure_topics(router, [topics.view("newcomer")])
        assert str(refused.value) == (
            "topic view.newcomer does not exist and principal User:joinedup.router may not "
            "create it: run `joinedup topics apply`"
        )


class Copying(ChildProcessor[int]):
    """Copies each ingest record to the view and the audit, counting per child."""

    def handle(self, record: Incoming) -> list[Outgoing]:
        child = (record.key or b"").decode()
        seen = (self.store.get(record.partition, child) or 0) + 1
        return [
            Outgoing(topics.view(SCHOOL), record.key, record.value, record.partition),
            Outgoing(topics.AUDIT_DISCLOSURES, record.key, b"decided", record.partition),
            self.store.put(record.partition, child, seen),
        ]


class TestRouterLoop:
    async def test_the_router_runs_its_transactional_loop_under_its_own_acls(self, governed):
        """Group joinedup-router, transactions, changelog restore and writes: all allowed."""
        router = governed.settings(ROUTER)
        store = ChildStore(
            topics.changelog("joinedup-router"), StateCodec(lambda n: str(n).encode(), int)
        )
        processor = Copying(router, store)
        options = LoopOptions(batch=100, timeout_s=30)
        loop = TransactionalLoop(
            router,
            processor,
            "joinedup-router",
            "joinedup-router-test",
            [topics.ingest(SCHOOL)],
            options,
        )
        producer = build_producer(governed.settings(GATEWAY))
        await producer.start()
        try:
            for n in range(20):
                await producer.send_and_wait(
                    topics.ingest(SCHOOL), f"e{n}".encode(), key=b"child-1"
                )
        finally:
            await producer.stop()
        running = asyncio.create_task(loop.run())
        for _ in range(600):  # a minute at most
            if loop.processed >= 20 or running.done():
                break
            await asyncio.sleep(0.1)
        loop.stopping.set()
        await asyncio.wait_for(running, 60)
        changelog = [r.value() for r in records_to_end(router, processor.changelog, range(3))]
        assert loop.processed >= 20
        assert max(int(v or b"0") for v in changelog) >= 20


class TestTopicPolicyOnTheCluster:
    def test_the_audit_is_never_deleted_by_time_or_size(self, governed):
        """audit.disclosures as described by the cluster: retention.ms and retention.bytes -1."""
        admin = AdminClient(governed.options("admin"))
        resource = ConfigResource("TOPIC", topics.AUDIT_DISCLOSURES)
        entries = admin.describe_configs([resource])[resource].result(timeout=15)
        assert entries["retention.ms"].value == "-1"
        assert entries["retention.bytes"].value == "-1"
        assert entries["cleanup.policy"].value == "delete"
