import pytest

from schemas.exceptions import EventValidationError
from schemas.samples import sample_event
from services.sdk.exceptions import WrongAgencyError
from services.sdk.publishable import publishable_event_types

pytestmark = pytest.mark.integration


def _sample(event_type: str, agency: str) -> dict:
    """A sample published by `agency`: fields that must name the publisher name it."""
    return sample_event(
        event_type, source={"agency": agency, "system": "sample", "practitioner_role": None}
    )


class TestPublisher:
    async def test_every_publishable_type_round_trips(self, publisher, codec, read_topic):
        """Each publishable event type goes SDK -> Kafka -> decode unchanged, keyed by child_ref."""
        events = [_sample(t, publisher.agency) for t in sorted(publishable_event_types())]
        receipts = await publisher.publish_many(events)
        assert [r.event_id for r in receipts] == [str(e["event_id"]) for e in events]
        records = await read_topic(publisher.topic)
        decoded = {str(codec.decode(r.value)["event_id"]): codec.decode(r.value) for r in records}
        assert len(records) == len(events)
        for event in events:
            assert decoded[str(event["event_id"])] == event
        assert {r.key for r in records} == {e["child_ref"].encode() for e in events}

    async def test_publish_returns_where_the_event_landed(self, publisher, codec, read_topic):
        """The receipt names the topic, partition and offset holding the event."""
        event = _sample("AttendanceMarked", publisher.agency)
        receipt = await publisher.publish(event)
        [record] = await read_topic(publisher.topic)
        assert (receipt.topic, receipt.partition, receipt.offset) == (
            record.topic,
            record.partition,
            record.offset,
        )

    async def test_a_bad_event_stops_the_whole_batch(self, publisher, read_topic):
        """publish_many validates everything first: one bad event means nothing is sent."""
        good = _sample("AttendanceMarked", publisher.agency)
        bad = _sample("AttendanceMarked", publisher.agency) | {"register_code": "ZZ"}
        with pytest.raises(EventValidationError, match="register_code"):
            await publisher.publish_many([good, bad])
        assert await read_topic(publisher.topic) == []

    async def test_refuses_another_agencys_event(self, publisher):
        """An event whose source.agency is another agency is refused."""
        with pytest.raises(WrongAgencyError, match=r"source\.agency"):
            await publisher.publish(sample_event("AttendanceMarked"))
