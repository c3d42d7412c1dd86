"""Errors of the demo."""

from services.exceptions import JoinedUpError


class DemoError(JoinedUpError):
    """Raised when a demo service does not start or a demo step is refused."""
