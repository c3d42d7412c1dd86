"""Errors of the view feed."""

from services.exceptions import JoinedUpError


class ViewFeedError(JoinedUpError):
    """Raised when the view feed cannot answer a request."""


class ViewFeedConfigError(ViewFeedError):
    """Raised when the view readers file is missing or malformed."""


class UnauthenticatedError(ViewFeedError):
    """Raised when a request carries no bearer token, or one no view reader holds."""


class ForbiddenViewError(ViewFeedError):
    """Raised when a token asks for a view other than its own agency's."""


class CursorError(ViewFeedError):
    """Raised when a cursor cannot be read or does not fit the view (names the rule)."""

    def __init__(self, rule: str) -> None:
        """The rule the cursor breaks; the field is always `cursor`."""
        super().__init__(f"cursor: {rule}")
        self.field = "cursor"
        self.rule = rule


class ViewUnavailableError(ViewFeedError):
    """Raised when the broker cannot be read in time (503: try again later)."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        """Keep how long the client should wait before trying again."""
        super().__init__(message)
        self.retry_after_s = retry_after_s
