"""Errors of the ingest gateway."""

from services.exceptions import JoinedUpError


class GatewayError(JoinedUpError):
    """Raised when the gateway cannot accept a request."""


class UnauthenticatedError(GatewayError):
    """Raised when a request carries no bearer token, or one no publisher holds."""


class BatchRejectedError(GatewayError):
    """Raised when one or more events of a batch break the contract (nothing is published)."""

    def __init__(self, problems: list[dict[str, object]], message: str | None = None) -> None:
        """Keep every problem: index in the batch, field, rule."""
        super().__init__(message or f"{len(problems)} event(s) rejected; nothing was published")
        self.problems = problems


class ForbiddenAgencyError(GatewayError):
    """Raised when an event's source.agency is not the agency the token publishes as."""


class MalformedBodyError(GatewayError):
    """Raised when a request body is empty or not JSON / NDJSON."""


class BodyTooLargeError(GatewayError):
    """Raised when a request body is over the size limit."""
