"""Transports of the consent service: the FastAPI app and its web page."""
