"""docs/producers.md, proven: its confluent-kafka example run as a script on the real bus.

The example is run as an agency's own program would be (a subprocess),
against the session's broker and a registry of the test's own; what it wrote
is read back with the project's codec.
"""

from __future__ import annotations

import asyncio
import sys
import zlib
from pathlib import Path

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient, topic_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext
from typer.testing import CliRunner

from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec, schema_id_of
from schemas.registry_client import RegistryClient
from schemas.samples import sample_event
from schemas.validation import EventValidator
from services.bus import topics
from services.bus.kafka import ensure_topics, partition_for, partitions_of
from services.bus.reading import records_to_end
from services.cli.registry import registry_app

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).parents[3] / "docs" / "examples" / "confluent_producer.py"
EVENT_TYPES = ("AttendanceMarked", "SuspensionIssued")
# A child_ref that librdkafka's default partitioner (CRC32) and Java's (murmur2)
# put on different partitions of a 3-partition topic.
CHILD_REF = "cr1_" + "b" * 32
MARKS = 3


async def run_example(bus_settings, registry, agency):
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        *("--bootstrap", bus_settings.bootstrap, "--registry", registry.url),
        *("--agency", agency, "--count", str(MARKS), "--child-ref", CHILD_REF),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, out.decode(), err.decode()


def register_schemas(registry):
    """What the platform does: `joinedup registry register-all`."""
    result = CliRunner().invoke(registry_app, ["register-all", "--url", registry.url])
    assert result.exit_code == 0, result.output


async def ingest_topic(bus_settings, unique_name):
    topic = topics.ingest(unique_name("school"))
    await ensure_topics(bus_settings, [topic])
    return topic


async def read(bus_settings, topic):
    return [record async for record in records_to_end(bus_settings, topic)]


class TestConfluentProducerExample:
    async def test_two_event_types_arrive_under_record_name_subjects(
        self, bus_settings, registry, unique_name
    ):
        """Both event types decode with our codec, framed with their record-name subjects' ids."""
        register_schemas(registry)
        topic = await ingest_topic(bus_settings, unique_name)
        agency = topic.removeprefix("ingest.")

        status, out, err = await run_example(bus_settings, registry, agency)

        assert status == 0, err
        assert out.count(f"-> {topic}") == MARKS + 1
        records = await read(bus_settings, topic)
        codec = AvroCodec(RegistryClient(registry.url))
        events = [codec.decode(record.value) for record in records]
        assert [event["event_type"] for event in events] == ["AttendanceMarked"] * MARKS + [
            "SuspensionIssued"
        ]
        validator = EventValidator()
        for record, event in zip(records, events, strict=True):
            validator.validate(event)
            assert record.key == CHILD_REF.encode()
            assert (event["child_ref"], event["source"]["agency"]) == (CHILD_REF, agency)
        catalogue = Catalogue.load()
        client = RegistryClient(registry.url)
        subjects = {t: catalogue.subject(t) for t in EVENT_TYPES}
        assert subjects == {t: f"uk.joinedup.education.{t}" for t in EVENT_TYPES}
        assert {codec.event_type_of(r.value): schema_id_of(r.value) for r in records} == {
            t: client.latest(subject).schema_id for t, subject in subjects.items()
        }
        assert f"{topic}-value" not in client.subjects()

    async def test_records_land_on_the_partition_java_clients_choose(
        self, bus_settings, registry, unique_name
    ):
        """Keyed by child_ref with murmur2, as the platform partitions that child's records."""
        register_schemas(registry)
        topic = await ingest_topic(bus_settings, unique_name)

        status, _, err = await run_example(bus_settings, registry, topic.removeprefix("ingest."))

        assert status == 0, err
        count = len(await partitions_of(bus_settings, topic))
        expected = partition_for(CHILD_REF, count)
        assert zlib.crc32(CHILD_REF.encode()) % count != expected  # the default would differ
        assert {record.partition for record in await read(bus_settings, topic)} == {expected}

    async def test_it_registers_nothing_and_stops_when_schemas_are_missing(
        self, bus_settings, registry, unique_name
    ):
        """With auto-registration off, unregistered subjects stop it before anything is sent."""
        topic = await ingest_topic(bus_settings, unique_name)

        status, _, err = await run_example(bus_settings, registry, topic.removeprefix("ingest."))

        assert status == 1
        assert "uk.joinedup.education.AttendanceMarked: not in the registry" in err
        assert "joinedup registry register-all" in err
        assert RegistryClient(registry.url).subjects() == []
        assert await read(bus_settings, topic) == []


class TestTopicNameStrategy:
    @pytest.mark.parametrize(
        "conf",
        [{}, {"subject.name.strategy": topic_subject_name_strategy}],
        ids=["serializer-defaults", "topic-name-strategy"],
    )
    def test_the_second_event_type_on_a_topic_is_refused(self, registry, unique_name, conf):
        """Under `<topic>-value` the second event type is an incompatible version: 409."""
        confluent = SchemaRegistryClient({"url": registry.url})
        catalogue = Catalogue.load()
        topic = topics.ingest(unique_name("school"))
        context = SerializationContext(topic, MessageField.VALUE)

        def serialize(event_type):
            serializer = AvroSerializer(confluent, catalogue.raw(event_type), conf=dict(conf))
            return serializer(sample_event(event_type), context)

        first = serialize("AttendanceMarked")
        with pytest.raises(SchemaRegistryError) as refused:
            serialize("SuspensionIssued")

        assert (refused.value.http_status_code, refused.value.error_code) == (409, 409)
        assert confluent.get_subjects() == [f"{topic}-value"]
        assert confluent.get_versions(f"{topic}-value") == [1]
        assert AvroCodec(RegistryClient(registry.url)).event_type_of(first) == "AttendanceMarked"
