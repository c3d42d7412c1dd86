"""Adapters of the consent service: Kafka publishing, replay and audit reading."""
