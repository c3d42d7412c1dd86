from dataclasses import dataclass

import pytest
from fakes.kafka import FakeProducer

from schemas.codec import AvroCodec
from schemas.exceptions import BadMagicByteError, UndecodableBodyError, UnknownSchemaIdError
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.sdk.deadletters import DeadLetterDecoder, reason_for


@dataclass
class Record:
    value: bytes | None
    topic: str = "ingest.school-100001"
    partition: int = 2
    offset: int = 7
    key: bytes | None = b"cr1_x"


@pytest.fixture
def codec():
    return AvroCodec(InMemorySchemaSource())


class TestReasonFor:
    def test_names_each_decode_failure(self):
        """Each codec failure has its own stable reason slug."""
        assert reason_for(BadMagicByteError("x")) == "bad-magic-byte"
        assert reason_for(UnknownSchemaIdError(9)) == "unknown-schema-id"
        assert reason_for(UndecodableBodyError("x")) == "undecodable-body"


class TestDeadLetterDecoder:
    async def test_good_record_is_decoded(self, codec):
        """A well-formed record decodes and nothing is dead-lettered."""
        producer = FakeProducer()
        event = sample_event("AttendanceMarked")
        decoded = await DeadLetterDecoder(codec, producer).decode(
            Record(codec.encode("AttendanceMarked", event))
        )
        assert decoded == event
        assert producer.sent == []

    async def test_bad_record_is_dead_lettered_with_its_origin(self, codec):
        """A bad record goes unchanged to deadletter.<source> with reason and origin headers."""
        producer = FakeProducer()
        decoder = DeadLetterDecoder(codec, producer)
        assert await decoder.decode(Record(b"plain text")) is None
        [sent] = producer.sent
        headers = dict(sent.headers)
        assert sent.topic == "deadletter.school-100001"
        assert (sent.key, sent.value) == (b"cr1_x", b"plain text")
        assert headers["joinedup.reason"] == b"bad-magic-byte"
        assert headers["joinedup.source.offset"] == b"7"

    async def test_tombstone_is_dead_lettered(self, codec):
        """A record without a value is not an event: it is dead-lettered."""
        producer = FakeProducer()
        assert await DeadLetterDecoder(codec, producer).decode(Record(None)) is None
        assert dict(producer.sent[0].headers)["joinedup.reason"] == b"undecodable-body"
