"""The Subscriber against a hand-written consumer: hand-over, commits, de-dup, dead letters."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

import pytest
from aiokafka import TopicPartition
from fakes.kafka import FakeProducer

from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.alerts.samples import disclosed_record
from services.governance.principals import group_prefix
from services.sdk.exceptions import SubscribeError
from services.sdk.subscriber import Subscriber, SubscriberOptions, subscriber_group

AGENCY = "school-100001"
TOPIC = f"view.{AGENCY}"
STEP_S = 2.0


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass
class FakeConsumer:
    """A group consumer of one topic: records per partition, positions, commits."""

    partitions: dict[int, list[Record]]
    positions: dict[int, int] = field(default_factory=dict)
    commits: list[dict[int, int]] = field(default_factory=list)
    listener: object = None
    started: bool = False

    def subscribe(self, topics, listener=None):
        self.listener = listener

    async def start(self):
        self.started = True

    async def stop(self):
        self.started = False

    async def getmany(self, *partitions, timeout_ms=0, max_records=None):
        batches = {}
        budget = max_records or 10_000
        for number, records in sorted(self.partitions.items()):
            start = self.positions.get(number, 0)
            taken = records[start : start + budget]
            budget -= len(taken)
            if taken:
                batches[TopicPartition(TOPIC, number)] = taken
                self.positions[number] = start + len(taken)
        if not batches:
            await asyncio.sleep(timeout_ms / 1000)
        return batches

    async def commit(self, offsets=None):
        self.commits.append({tp.partition: offset for tp, offset in offsets.items()})

    def seek(self, partition, offset):
        self.positions[partition.partition] = offset

    def assignment(self):
        return {TopicPartition(TOPIC, number) for number in self.partitions}

    @property
    def committed(self) -> dict[int, int]:
        merged: dict[int, int] = {}
        for commit in self.commits:
            merged.update(commit)
        return merged


class StoppableProducer(FakeProducer):
    async def stop(self):
        return None


@pytest.fixture
def codec():
    return AvroCodec(InMemorySchemaSource())


def view_record(codec, partition: int, offset: int, *, event_id=None, recipient=AGENCY, value=None):
    record = disclosed_record(recipient, "AttendanceMarked", {"session": "AM"}, event_id=event_id)
    encoded = codec.encode("DisclosedEvent", record) if value is None else value
    return Record(TOPIC, partition, offset, record["child_ref"].encode(), encoded)


def subscriber_over(codec, records, **options):
    partitions: dict[int, list[Record]] = {}
    for record in records:
        partitions.setdefault(record.partition, []).append(record)
    consumer = FakeConsumer(partitions)
    producer = StoppableProducer()
    chosen = SubscriberOptions(poll_timeout_s=0.01, **options)
    return Subscriber(AGENCY, consumer, codec, producer, chosen), consumer, producer


async def take(subscriber, count: int) -> list:
    iterator = aiter(subscriber)
    return [await asyncio.wait_for(anext(iterator), STEP_S) for _ in range(count)]


class TestHandOver:
    async def test_every_disclosure_in_order_with_its_agreement_and_fields(self, codec):
        """Each DisclosedEvent comes as a Disclosure: fields parsed, agreement named, offset."""
        records = [view_record(codec, 0, offset) for offset in range(3)]
        subscriber, _, _ = subscriber_over(codec, records)
        async with subscriber:
            got = await take(subscriber, 3)
        assert [d.offset for d in got] == [0, 1, 2]
        assert got[0].fields == {"session": "AM"}
        assert (got[0].agreement_id, got[0].legal_basis, got[0].purpose) == (
            "isa-operation-encompass",
            "uk-gdpr-6-1-e",
            "safeguarding",
        )
        assert got[0].recipient == AGENCY

    async def test_offsets_are_committed_only_past_handled_disclosures(self, codec):
        """Nothing is committed while a disclosure is out; asking for the next one settles it."""
        records = [view_record(codec, 0, 0), view_record(codec, 0, 1)]
        subscriber, consumer, _ = subscriber_over(codec, records)
        async with subscriber:
            iterator = aiter(subscriber)
            for _ in range(2):
                await asyncio.wait_for(anext(iterator), STEP_S)
            assert consumer.commits == []
            waiting = asyncio.ensure_future(anext(iterator))
            await asyncio.sleep(0.05)
            assert consumer.committed == {0: 2}
            waiting.cancel()

    async def test_closing_commits_what_was_handled_but_not_what_is_out(self, codec):
        """On close the handled disclosures are committed; the one still out is not."""
        records = [view_record(codec, 0, offset) for offset in range(3)]
        subscriber, consumer, _ = subscriber_over(codec, records)
        async with subscriber:
            await take(subscriber, 2)
        assert consumer.committed == {0: 1}


class TestAtLeastOnce:
    async def test_a_loop_that_raised_gets_its_disclosure_again(self, codec):
        """A disclosure whose loop body raised is handed over again by the next loop."""
        records = [view_record(codec, 0, offset) for offset in range(3)]
        subscriber, consumer, _ = subscriber_over(codec, records)
        async with subscriber:
            seen = []

            async def fail_at_second() -> None:
                async for disclosure in subscriber:
                    seen.append(disclosure.offset)
                    if disclosure.offset == 1:
                        raise RuntimeError("the application failed")

            with pytest.raises(RuntimeError):
                await fail_at_second()
            again = await take(subscriber, 2)
        assert seen == [0, 1]
        assert [d.offset for d in again] == [1, 2]
        assert consumer.committed == {0: 2}

    async def test_run_stops_on_a_handler_error_without_committing_that_disclosure(self, codec):
        """`run` lets the handler's error out; the failing disclosure stays uncommitted."""
        records = [view_record(codec, 0, offset) for offset in range(3)]
        subscriber, consumer, _ = subscriber_over(codec, records)
        handled = []

        async def handler(disclosure):
            if disclosure.offset == 2:
                raise ValueError("cannot store")
            handled.append(disclosure.offset)

        async with subscriber:
            with pytest.raises(ValueError, match="cannot store"):
                await asyncio.wait_for(subscriber.run(handler), STEP_S)
        assert handled == [0, 1]
        assert consumer.committed == {0: 2}

    async def test_a_revoked_partition_is_committed_and_its_batch_dropped(self, codec):
        """On revocation handled offsets are committed and unread records left to the new owner."""
        records = [view_record(codec, 1, offset) for offset in range(4)]
        subscriber, consumer, _ = subscriber_over(codec, records)
        async with subscriber:
            await take(subscriber, 2)
            await consumer.listener.on_partitions_revoked([TopicPartition(TOPIC, 1)])
            assert consumer.committed == {1: 1}
            consumer.partitions.clear()
            waiting = asyncio.ensure_future(anext(aiter(subscriber)))
            await asyncio.sleep(0.05)
            assert not waiting.done()
            waiting.cancel()
        assert subscriber.handled == 1


class TestDeDuplication:
    async def test_a_copy_within_the_window_is_skipped_and_committed(self, codec):
        """The same (publisher, event_id) twice reaches the handler once; the copy is committed."""
        records = [
            view_record(codec, 0, 0, event_id="3f5a8c1e-0000-4000-8000-000000000001"),
            view_record(codec, 0, 1, event_id="3f5a8c1e-0000-4000-8000-000000000001"),
            view_record(codec, 0, 2),
        ]
        subscriber, consumer, _ = subscriber_over(codec, records)
        async with subscriber:
            got = await take(subscriber, 2)
        assert [d.offset for d in got] == [0, 2]
        assert subscriber.duplicates == 1
        assert consumer.committed == {0: 2}

    async def test_a_window_of_zero_hands_every_copy_over(self, codec):
        """With de-duplication off both copies arrive."""
        same = "3f5a8c1e-0000-4000-8000-000000000002"
        records = [view_record(codec, 0, n, event_id=same) for n in range(2)]
        subscriber, _, _ = subscriber_over(codec, records, dedup_window=0)
        async with subscriber:
            got = await take(subscriber, 2)
        assert [d.event_id for d in got] == [same, same]


class TestDeadLetters:
    async def test_an_undecodable_record_is_dead_lettered_and_skipped(self, codec):
        """Bytes that are not bus Avro go to deadletter.view.<agency> with why; the next comes."""
        records = [view_record(codec, 0, 0, value=b"not avro"), view_record(codec, 0, 1)]
        subscriber, _, producer = subscriber_over(codec, records)
        async with subscriber:
            got = await take(subscriber, 1)
        assert got[0].offset == 1
        assert [sent.topic for sent in producer.sent] == [f"deadletter.{TOPIC}"]
        headers = dict(producer.sent[0].headers)
        assert headers["joinedup.reason"] == b"bad-magic-byte"
        assert headers["joinedup.source.offset"] == b"0"
        assert producer.sent[0].value == b"not avro"
        assert subscriber.dead_lettered == 1

    async def test_another_event_type_on_the_view_is_not_a_disclosure(self, codec):
        """A well-formed event that is not a DisclosedEvent is dead-lettered as not-a-disclosure."""
        other = codec.encode("AttendanceMarked", sample_event("AttendanceMarked"))
        records = [view_record(codec, 0, 0, value=other), view_record(codec, 0, 1)]
        subscriber, _, producer = subscriber_over(codec, records)
        async with subscriber:
            await take(subscriber, 1)
        headers = dict(producer.sent[0].headers)
        assert headers["joinedup.reason"] == b"not-a-disclosure"
        assert b"AttendanceMarked" in headers["joinedup.error"]

    async def test_a_disclosure_for_another_agency_is_not_handed_over(self, codec):
        """A record naming another recipient is dead-lettered, never handed to this agency."""
        records = [view_record(codec, 0, 0, recipient="police-west"), view_record(codec, 0, 1)]
        subscriber, _, producer = subscriber_over(codec, records)
        async with subscriber:
            got = await take(subscriber, 1)
        assert got[0].offset == 1
        assert dict(producer.sent[0].headers)["joinedup.error"].startswith(b"recipient:")

    async def test_bad_fields_json_is_not_a_disclosure(self, codec):
        """A DisclosedEvent whose fields are not a JSON object is dead-lettered naming `fields`."""
        record = disclosed_record(AGENCY, "AttendanceMarked", {})
        record["fields"] = json.dumps([1, 2])
        value = codec.encode("DisclosedEvent", record)
        subscriber, _, producer = subscriber_over(codec, [view_record(codec, 0, 0, value=value)])
        async with subscriber:
            waiting = asyncio.ensure_future(anext(aiter(subscriber)))
            await asyncio.sleep(0.05)
            waiting.cancel()
        assert dict(producer.sent[0].headers)["joinedup.error"].startswith(b"fields:")


class TestGroupName:
    def test_groups_carry_the_prefix_the_acls_grant(self):
        """`<agency>-<name>` starts with the group prefix governance gives the agency."""
        assert subscriber_group(AGENCY, "case-system").startswith(group_prefix(AGENCY))

    @pytest.mark.parametrize("name", ["", "Case", "a b", "x" * 101, "-lead"])
    def test_a_bad_name_is_refused_naming_the_rule(self, name):
        """A name that would not make a plain group id is refused, naming `name`."""
        with pytest.raises(SubscribeError, match=r"^name: "):
            subscriber_group(AGENCY, name)
