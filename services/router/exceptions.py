"""Errors of the router."""

from services.exceptions import JoinedUpError


class RouterError(JoinedUpError):
    """Raised when the router cannot route (e.g. the audit chain's tail is unreadable)."""
