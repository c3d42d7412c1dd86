"""The alerts read model: pure, no Kafka, no HTTP."""
