import pytest
from fakes.child_refs import child_ref
from fakes.kafka import FakeProducer

from schemas.codec import AvroCodec
from schemas.exceptions import EventValidationError
from schemas.samples import SAMPLE_AGENCY, sample_event
from schemas.schema_source import InMemorySchemaSource
from services.sdk.exceptions import WrongAgencyError
from services.sdk.publishable import publishable_event_types
from services.sdk.publisher import Publisher, as_record


@pytest.fixture
def producer():
    return FakeProducer()


@pytest.fixture
def codec():
    return AvroCodec(InMemorySchemaSource())


@pytest.fixture
def publisher(producer, codec):
    return Publisher(SAMPLE_AGENCY, producer, codec)


class TestPublisher:
    def test_prepare_encodes_a_valid_event(self, publisher, codec):
        """prepare returns the record and its Confluent-framed encoding."""
        event = sample_event("AttendanceMarked")
        record, value = publisher.prepare(event)
        assert codec.decode(value) == record == event

    def test_prepare_refuses_another_agency(self, publisher):
        """An event from another agency names source.agency and the rule."""
        event = sample_event("AttendanceMarked")
        event["source"] = {**event["source"], "agency": "police-west"}
        with pytest.raises(WrongAgencyError) as caught:
            publisher.prepare(event)
        assert caught.value.field == "source.agency"

    def test_prepare_refuses_bus_only_event_types(self, publisher):
        """Alerts and audit records are written by the bus, not by agencies."""
        with pytest.raises(EventValidationError, match="not an event type agencies publish"):
            publisher.prepare(sample_event("AlertRaised"))

    def test_prepare_takes_generated_models(self, publisher):
        """A generated model is accepted as well as a dict."""
        from schemas.models.education import AttendanceMarked  # noqa: PLC0415

        model = AttendanceMarked.from_record(sample_event("AttendanceMarked"))
        record, _ = publisher.prepare(model)
        assert record == as_record(model)

    async def test_send_many_keys_by_child_ref_in_order(self, publisher, producer):
        """Events go to ingest.<agency>, keyed by child_ref, in the order given."""
        refs = [child_ref(f"pupil {n}") for n in range(3)]
        events = [sample_event("AttendanceMarked", child_ref=ref) for ref in refs]
        receipts = await publisher.publish_many(events)
        assert [s.key for s in producer.sent] == [ref.encode() for ref in refs]
        assert {s.topic for s in producer.sent} == {f"ingest.{SAMPLE_AGENCY}"}
        assert [r.offset for r in receipts] == [0, 1, 2]


class TestPublishableEventTypes:
    def test_publishable_types_exclude_the_bus_own(self):
        """Publishable types are the agencies' domains only."""
        types = publishable_event_types()
        assert "AttendanceMarked" in types
        assert not types & {"AlertRaised", "IdentifierLinked", "DisclosureDecided"}
