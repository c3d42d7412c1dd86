"""The local Apache Kafka broker for machines without Docker (DESIGN.md)."""
