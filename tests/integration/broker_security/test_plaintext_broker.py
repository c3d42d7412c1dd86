"""JOINEDUP_BROKER_SECURITY=plaintext: the old PLAINTEXT broker, for debugging, auto-create off."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import AdminClient

from services.broker.security_files import SecurityFiles

pytestmark = pytest.mark.integration


class TestPlaintextBroker:
    def test_a_plaintext_client_gets_metadata(self, plaintext):
        """A client without TLS or credentials is answered."""
        admin = AdminClient(plaintext.options())

        assert len(admin.list_topics(timeout=10).brokers) == 1

    def test_producing_to_a_missing_topic_fails(self, plaintext):
        """Auto-create stays off: a record to an unknown topic is UNKNOWN_TOPIC_OR_PART."""
        name = f"plaintext-missing-{uuid.uuid4().hex[:10]}"
        producer = Producer(
            plaintext.options(
                **{"message.timeout.ms": 5000, "topic.metadata.propagation.max.ms": 1000}
            )
        )
        outcomes: list[KafkaError | None] = []

        producer.produce(name, b"x", on_delivery=lambda error, _message: outcomes.append(error))
        producer.flush(10)

        assert [error.code() for error in outcomes if error] == [KafkaError.UNKNOWN_TOPIC_OR_PART]
        assert name not in AdminClient(plaintext.options()).list_topics(timeout=10).topics

    def test_no_security_files_are_made(self, plaintext):
        """A plaintext data dir has no CA, keys or client files."""
        assert not SecurityFiles.of(plaintext.settings).directory.exists()

    def test_status_answers_over_plaintext(self, plaintext):
        """`status` probes the PLAINTEXT listener without credentials."""
        report = plaintext.broker.status()

        assert report.running, report.message
