"""Kafka, HTTP and file adapters of the alerts service."""
