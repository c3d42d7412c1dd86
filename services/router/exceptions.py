"""Errors of the router."""

from services.exceptions import JoinedUpError


class RouterError(JoinedUpError):
    """Raised when the router cannot route (e.g. the audit chain's tail is unreadable)."""


class UnroutableEventError(RouterError):
    """Raised when a well-formed event cannot be routed (unknown source agency, bad directive)."""
