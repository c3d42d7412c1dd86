"""Kafka and files behind the view feed."""
