"""The HTTP view feed: an agency system that cannot speak Kafka reads its view by cursor."""
