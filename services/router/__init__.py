"""The router: per event and recipient, decide, write the redacted view and the audit record."""
