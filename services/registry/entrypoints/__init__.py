"""Entry points of the registry: the Confluent REST subset over HTTP."""
