"""Transports of the gateway: the FastAPI app."""
