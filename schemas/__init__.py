"""The event contract: Avro schemas, code lists, codec, registry client, catalogue."""
