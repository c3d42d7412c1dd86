"""Adapters of the gateway: JSON events to Avro records."""
