"""Adapters of the registry: the Kafka-backed log of registry records."""
