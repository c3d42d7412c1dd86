"""Errors of the router."""

from services.exceptions import JoinedUpError


class RouterError(JoinedUpError):
    """Raised when the router cannot route an event."""


class UnroutableEventError(RouterError):
    """Raised when a well-formed event cannot be routed (unknown source agency, bad directive)."""
