"""docker-compose.yml is loadable and describes the services Docker users need."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[3] / "docker-compose.yml"


class TestComposeFile:
    def test_kafka_is_kraft_on_the_official_image(self):
        """Kafka runs from apache/kafka in KRaft mode with its port published."""
        services = yaml.safe_load(COMPOSE.read_text())["services"]
        kafka = services["kafka"]
        assert kafka["image"].startswith("apache/kafka:4.")
        assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert "9092:9092" in kafka["ports"]

    def test_registry_is_confluent_compatible_and_depends_on_kafka(self):
        """The schema registry (Karapace) listens on 8081 and waits for Kafka."""
        services = yaml.safe_load(COMPOSE.read_text())["services"]
        registry = services["schema-registry"]
        assert "karapace" in registry["image"]
        assert "8081:8081" in registry["ports"]
        assert "kafka" in registry["depends_on"]

    def test_data_lives_in_named_volumes(self):
        """Broker data survives container restarts in a named volume."""
        compose = yaml.safe_load(COMPOSE.read_text())
        assert "kafka-data" in compose["volumes"]
        assert any(v.startswith("kafka-data:") for v in compose["services"]["kafka"]["volumes"])

    def test_every_service_image_or_build_is_set(self):
        """Every service names an image or a build, so `docker compose up` can run it."""
        for name, service in yaml.safe_load(COMPOSE.read_text())["services"].items():
            assert "image" in service or "build" in service, name
