"""Bus plumbing shared by every service: settings, Kafka clients, topics, logging."""
