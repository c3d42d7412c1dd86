"""The embedded Confluent-compatible schema registry, backed by a compacted Kafka topic.

`build_app(settings, topic=...)` in `bootstrap` is the entry point; nothing
connects at import time.
"""
