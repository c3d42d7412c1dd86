import pytest

from schemas.samples import sample_event
from services.bus.kafka import build_consumer, build_producer, ensure_topics
from services.sdk.deadletters import DeadLetterDecoder

pytestmark = pytest.mark.integration


async def _consume_all(settings, topic, expected):
    consumer = build_consumer(settings, topic, group_id=f"{topic}-reader")
    await consumer.start()
    records = []
    try:
        while len(records) < expected:
            batch = await consumer.getmany(timeout_ms=2000)
            records += [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    return sorted(records, key=lambda r: r.value or b"")


class TestDeadLetterDecoder:
    async def test_undecodable_records_go_to_the_dead_letter_topic(
        self, bus_settings, codec, unique_name, read_topic
    ):
        """Bad magic byte, unknown schema id, corrupt body: dead-lettered; the rest flows."""
        source = f"ingest.{unique_name('school')}"
        await ensure_topics(bus_settings, [source, source.replace("ingest.", "deadletter.")])
        good = codec.encode("AttendanceMarked", sample_event("AttendanceMarked"))
        bad = {
            "bad-magic-byte": b'{"json": "not avro"}',
            "unknown-schema-id": b"\x00\x00\x00\x99\x99" + good[5:],
            "undecodable-body": good[:12],
        }
        producer = build_producer(bus_settings)
        await producer.start()
        try:
            for value in [*bad.values(), good]:
                await producer.send_and_wait(source, value, key=b"cr1_key")
            decoder = DeadLetterDecoder(codec, producer)
            records = await _consume_all(bus_settings, source, 4)
            decoded = [await decoder.decode(record) for record in records]
        finally:
            await producer.stop()
        assert [event["event_type"] for event in decoded if event] == ["AttendanceMarked"]
        assert decoder.dead_lettered == 3
        letters = await read_topic(source.replace("ingest.", "deadletter."))
        by_reason = {dict(r.headers)["joinedup.reason"].decode(): r for r in letters}
        assert set(by_reason) == set(bad)
        for reason, letter in by_reason.items():
            headers = dict(letter.headers)
            assert letter.value == bad[reason]
            assert letter.key == b"cr1_key"
            assert headers["joinedup.source.topic"] == source.encode()
            assert headers["joinedup.error"]
