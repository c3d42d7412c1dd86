"""A data dir formatted before the broker was secured keeps running as it was formatted."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import AdminClient

from services.broker.security_files import SecurityFiles

pytestmark = pytest.mark.integration


class TestUnrecordedDataDir:
    def test_it_answers_plaintext_clients_under_the_default_setting(self, unrecorded):
        """JOINEDUP_BROKER_SECURITY=sasl_ssl does not change it: PLAINTEXT clients get metadata."""
        assert unrecorded.settings.broker_security == "sasl_ssl"

        admin = AdminClient(unrecorded.options())

        assert len(admin.list_topics(timeout=10).brokers) == 1
        assert not SecurityFiles.of(unrecorded.settings).directory.exists()

    def test_it_still_creates_topics_on_first_use(self, unrecorded):
        """As formatted before: a record to an unknown topic creates the topic."""
        name = f"unrecorded-{uuid.uuid4().hex[:10]}"
        producer = Producer(unrecorded.options(**{"message.timeout.ms": 10000}))
        outcomes: list[KafkaError | None] = []

        producer.produce(name, b"x", on_delivery=lambda error, _message: outcomes.append(error))
        producer.flush(15)

        assert outcomes == [None]
