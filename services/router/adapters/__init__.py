"""Kafka-facing parts of the router: agreement feed, audit chain tails."""
