"""Errors of the bus plumbing."""

from services.exceptions import JoinedUpError


class BusError(JoinedUpError):
    """Raised when the bus plumbing cannot do what it was asked."""


class SettingsError(BusError):
    """Raised when settings are unsafe for the chosen mode (e.g. a placeholder secret)."""


class BrokerUnreachableError(BusError):
    """Raised when no Kafka broker answers a metadata request at the bootstrap address."""
