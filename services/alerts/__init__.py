"""Duty-team delivery of alerts: web page, SSE feed, CLI tail and signed webhooks."""
