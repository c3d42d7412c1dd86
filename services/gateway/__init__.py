"""HTTP ingest gateway for agency systems that cannot speak Kafka."""
