"""Errors of the local broker."""

from services.exceptions import JoinedUpError


class BrokerError(JoinedUpError):
    """Raised when the local broker cannot be installed, started or stopped."""


class MissingToolError(BrokerError):
    """Raised when `java` (17+) or `mvn` is not installed."""


class BrokerPortError(BrokerError):
    """Raised when the broker and controller ports are equal or in the OS's ephemeral range."""


class BrokerSecurityError(BrokerError):
    """Raised when the data dir's security files or mode do not match the settings."""
