"""Clients nobody here wrote work against our registry: confluent-kafka's, unchanged."""

from __future__ import annotations

import pytest
from avro_samples import NAMESPACE, record, with_optional_note, with_required_count
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec, schema_id_of
from schemas.registry_client import RegistryClient
from schemas.samples import sample_event

pytestmark = pytest.mark.integration

SUBJECT = f"{NAMESPACE}.PupilNoted"
EVENT_TYPE = "AttendanceMarked"


@pytest.fixture
def confluent(registry):
    return SchemaRegistryClient({"url": registry.url})


def context(topic="ingest.school-100001"):
    return SerializationContext(topic, MessageField.VALUE)


class TestConfluentSchemaRegistryClient:
    def test_register_and_fetch(self, confluent):
        """register_schema, get_schema, get_version and get_latest_version round-trip."""
        schema_id = confluent.register_schema(SUBJECT, Schema(record(), "AVRO"))
        fresh = SchemaRegistryClient({"url": confluent.config()["url"]})
        assert fresh.get_schema(schema_id).schema_str == record()
        latest = fresh.get_latest_version(SUBJECT)
        assert (latest.schema_id, latest.version, latest.subject) == (schema_id, 1, SUBJECT)
        assert fresh.get_version(SUBJECT, 1).schema.schema_str == record()

    def test_lookup_subjects_and_versions(self, confluent):
        """lookup_schema, get_subjects, get_versions and get_schema_types answer as expected."""
        schema_id = confluent.register_schema(SUBJECT, Schema(record(), "AVRO"))
        confluent.register_schema(SUBJECT, Schema(with_optional_note(), "AVRO"))
        found = confluent.lookup_schema(SUBJECT, Schema(record(), "AVRO"))
        assert (found.schema_id, found.version) == (schema_id, 1)
        assert confluent.get_subjects() == [SUBJECT]
        assert confluent.get_versions(SUBJECT) == [1, 2]
        assert confluent.get_schema_types() == ["AVRO"]
        assert confluent.get_subjects_by_schema_id(schema_id) == [SUBJECT]

    def test_compatibility_and_config(self, confluent):
        """test_compatibility, set/get_compatibility and the 409 on registration."""
        confluent.register_schema(SUBJECT, Schema(record(), "AVRO"))
        assert confluent.test_compatibility(SUBJECT, Schema(with_optional_note(), "AVRO"))
        assert not confluent.test_compatibility(SUBJECT, Schema(with_required_count(), "AVRO"))
        with pytest.raises(SchemaRegistryError) as caught:
            confluent.register_schema(SUBJECT, Schema(with_required_count(), "AVRO"))
        assert (caught.value.http_status_code, caught.value.error_code) == (409, 409)
        assert confluent.get_compatibility() == "BACKWARD_TRANSITIVE"
        confluent.set_compatibility(SUBJECT, "NONE")
        assert confluent.get_compatibility(SUBJECT) == "NONE"
        assert confluent.register_schema(SUBJECT, Schema(with_required_count(), "AVRO")) > 0

    def test_errors_carry_confluent_codes(self, confluent):
        """Unknown ids and subjects raise SchemaRegistryError with 40403 and 40401."""
        with pytest.raises(SchemaRegistryError) as unknown_id:
            confluent.get_schema(31337)
        assert unknown_id.value.error_code == 40403
        with pytest.raises(SchemaRegistryError) as unknown_subject:
            confluent.get_latest_version("nobody")
        assert unknown_subject.value.error_code == 40401

    def test_delete_subject(self, confluent):
        """delete_subject soft-deletes and lists the versions."""
        confluent.register_schema(SUBJECT, Schema(record(), "AVRO"))
        assert confluent.delete_subject(SUBJECT) == [1]
        assert confluent.get_subjects() == []


class TestConfluentSerdes:
    def test_avro_deserializer_reads_what_our_codec_wrote(self, registry, confluent):
        """confluent-kafka's AvroDeserializer reads our Confluent-framed bytes."""
        event = sample_event(EVENT_TYPE)
        codec = AvroCodec(RegistryClient(registry.url))
        data = codec.encode(EVENT_TYPE, event)
        read = AvroDeserializer(confluent)(data, context())
        assert read == codec.decode(data)
        assert read["child_ref"] == event["child_ref"]

    def test_our_codec_reads_what_avro_serializer_wrote(self, registry, confluent):
        """Our codec decodes what confluent-kafka's AvroSerializer wrote, registered by it."""
        catalogue = Catalogue.load()
        event = sample_event(EVENT_TYPE)
        serializer = AvroSerializer(
            confluent,
            catalogue.raw(EVENT_TYPE),
            conf={"subject.name.strategy": lambda _ctx, name: name},
        )
        data = serializer(event, context())
        client = RegistryClient(registry.url)
        assert client.subjects() == [catalogue.subject(EVENT_TYPE)]
        assert AvroCodec(client).decode(data) == event
        our_id = client.register(catalogue.subject(EVENT_TYPE), catalogue.raw(EVENT_TYPE))
        assert schema_id_of(data) == our_id
