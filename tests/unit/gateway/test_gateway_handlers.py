import asyncio
import threading

import pytest
from fakes.agency_json import attendance_json
from fakes.kafka import FakeProducer

from schemas.codec import AvroCodec
from schemas.schema_source import InMemorySchemaSource
from services.bus.producer_slot import ProducerSlot
from services.gateway.adapters.broker_gate import BrokerGate
from services.gateway.adapters.json_events import JsonEventParser
from services.gateway.domain.idempotency import SeenEvents
from services.gateway.exceptions import (
    BatchRejectedError,
    EventIdConflictError,
    ForbiddenAgencyError,
    UnavailableError,
)
from services.gateway.handlers import Ingest, accept_events
from services.identity.domain.identifiers import parse_identifier
from services.sdk.publisher import Publisher

AGENCY = "school-100001"


class FakeIdentity:
    """Resolves by validating the identifiers and naming them by kind (no key needed)."""

    def __init__(self):
        self.asked = []

    async def resolve(self, identifiers, agency):
        parsed = [parse_identifier(kind, value, agency) for kind, value in identifiers]
        self.asked.append([p.kind for p in parsed])
        return "cr1_" + "c" * 32


@pytest.fixture
def producer():
    return FakeProducer()


@pytest.fixture
def ingest(producer):
    codec = AvroCodec(InMemorySchemaSource())
    return Ingest(
        publishers={AGENCY: Publisher(AGENCY, producer, codec)},
        parse=JsonEventParser(),
        identity=FakeIdentity(),
        seen=SeenEvents(),
        bus=BrokerGate(ProducerSlot(lambda: producer)),
    )


class TestAcceptEvents:
    async def test_publishes_a_valid_batch_in_order(self, ingest, producer):
        """Every event of a valid batch is published, in order."""
        batch = [attendance_json() for _ in range(3)]
        accepted = await accept_events(batch, AGENCY, ingest)
        assert [a.receipt.event_id for a in accepted] == [e["event_id"] for e in batch]
        assert len(producer.sent) == 3

    async def test_repeats_are_stored_once(self, ingest, producer):
        """A repeat, in the same batch or a later one, is reported as duplicate, not resent."""
        event = attendance_json()
        first = await accept_events([event, event], AGENCY, ingest)
        later = await accept_events([event], AGENCY, ingest)
        assert [a.duplicate for a in [*first, *later]] == [False, True, True]
        assert len(producer.sent) == 1

    async def test_lists_every_bad_event_and_sends_nothing(self, ingest, producer):
        """All problems are listed with index, field and rule; nothing is published."""
        batch = [attendance_json(register_code="ZZ"), attendance_json(), "text"]
        with pytest.raises(BatchRejectedError) as caught:
            await accept_events(batch, AGENCY, ingest)
        assert [(p["index"], p["field"]) for p in caught.value.problems] == [
            (0, "register_code"),
            (2, "(event)"),
        ]
        assert producer.sent == []

    async def test_identifier_replaces_child_ref(self, ingest, producer):
        """An identifier is resolved to a child_ref and stripped before publishing."""
        event = attendance_json(identifier={"kind": "upn", "value": "A123456789012"})
        del event["child_ref"]
        await accept_events([event], AGENCY, ingest)
        assert producer.sent[0].key == b"cr1_" + b"c" * 32
        assert b"A123456789012" not in producer.sent[0].value

    async def test_invalid_identifier_is_a_problem_without_its_value(self, ingest):
        """A bad NHS number is reported on identifier.nhs_number, value not echoed."""
        event = attendance_json(identifier={"kind": "nhs_number", "value": "9434765918"})
        del event["child_ref"]
        with pytest.raises(BatchRejectedError) as caught:
            await accept_events([event], AGENCY, ingest)
        [problem] = caught.value.problems
        assert problem["field"] == "identifier.nhs_number"
        assert "9434765918" not in str(problem)

    async def test_both_child_ref_and_identifier_is_refused(self, ingest):
        """An event may carry a child_ref or an identifier, not both."""
        event = attendance_json(identifier={"kind": "upn", "value": "A123456789012"})
        with pytest.raises(BatchRejectedError, match="rejected"):
            await accept_events([event], AGENCY, ingest)

    async def test_another_agency_is_forbidden(self, ingest):
        """An event from another agency stops the batch as forbidden."""
        with pytest.raises(ForbiddenAgencyError):
            await accept_events([attendance_json("police-west")], AGENCY, ingest)

    async def test_a_publisher_field_naming_another_agency_is_forbidden(self, ingest, producer):
        """AttendanceMarked.school must be the publisher: another school is a 403 naming it."""
        with pytest.raises(ForbiddenAgencyError, match="school 'school-100002'"):
            await accept_events([attendance_json(school="school-100002")], AGENCY, ingest)
        assert producer.sent == []

    async def test_an_id_reused_for_another_body_is_a_conflict(self, ingest, producer):
        """The same agency's id with a different body is a conflict naming the id."""
        event = attendance_json(register_code="N")
        await accept_events([event], AGENCY, ingest)
        with pytest.raises(EventIdConflictError, match=event["event_id"]) as caught:
            await accept_events([{**event, "register_code": "L"}], AGENCY, ingest)
        assert caught.value.problems[0]["field"] == "event_id"
        assert len(producer.sent) == 1

    async def test_ids_are_remembered_per_agency(self, ingest, producer):
        """Another agency's event under the same id is not this agency's duplicate."""
        other = "school-100002"
        codec = AvroCodec(InMemorySchemaSource())
        ingest.publishers = {**ingest.publishers, other: Publisher(other, producer, codec)}
        theirs = attendance_json(other)
        ours = attendance_json(AGENCY, event_id=theirs["event_id"])
        await accept_events([theirs], other, ingest)
        [accepted] = await accept_events([ours], AGENCY, ingest)
        assert accepted.duplicate is False
        assert [s.topic for s in producer.sent] == [f"ingest.{other}", f"ingest.{AGENCY}"]

    async def test_an_unreachable_broker_refuses_before_sending(self, ingest, producer):
        """While the broker is known to be down nothing is handed to the producer: 503."""
        ingest.bus.reachable = False
        with pytest.raises(UnavailableError) as caught:
            await accept_events([attendance_json()], AGENCY, ingest)
        assert caught.value.retry_after_s > 0
        assert producer.sent == []


class StalledRegistry(InMemorySchemaSource):
    """A registry that answers only once `answer` is set (a hung HTTP call, in a thread)."""

    def __init__(self):
        super().__init__()
        self.answer = threading.Event()

    def id_for(self, subject, schema):
        assert self.answer.wait(timeout=10), "the test never let the registry answer"
        return super().id_for(subject, schema)


class TestStalledRegistry:
    async def test_a_hung_registry_look_up_does_not_stall_the_event_loop(self, producer):
        """While one request waits on the registry, the loop runs other work; then it lands."""
        registry = StalledRegistry()
        ingest = Ingest(
            publishers={AGENCY: Publisher(AGENCY, producer, AvroCodec(registry))},
            parse=JsonEventParser(),
            identity=FakeIdentity(),
            seen=SeenEvents(),
            bus=BrokerGate(ProducerSlot(lambda: producer)),
        )
        waiting = asyncio.create_task(accept_events([attendance_json()], AGENCY, ingest))
        for _ in range(20):  # the loop keeps turning while the look-up is pending
            await asyncio.sleep(0.01)
        assert not waiting.done()
        registry.answer.set()
        accepted = await asyncio.wait_for(waiting, timeout=10)
        assert len(accepted) == 1
        assert len(producer.sent) == 1
