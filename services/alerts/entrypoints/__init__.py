"""Transports of the alerts service: web page, JSON API, SSE feed, tail."""
