"""Errors of the ingest gateway."""

from typing import Final

from services.exceptions import JoinedUpError

CONFLICT_RULE: Final = (
    "already used by this agency for an event with a different body; a new event needs a new id"
)


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


class BodyLimitError(GatewayError):
    """Raised when a JSON body is beyond the reader's limits (nesting, number size, keys)."""

    def __init__(self, where: str, rule: str, index: int | None = None) -> None:
        """Say where (`body`, `body line 3`) and what; keep the event's index when known."""
        super().__init__(f"{where}: {rule}")
        self.rule = rule
        self.index = index


class EventIdConflictError(GatewayError):
    """Raised when an agency reuses one of its event ids for an event with another body."""

    def __init__(self, conflicts: list[tuple[int, str]]) -> None:
        """Keep every conflict as (index in the batch, event_id)."""
        ids = ", ".join(event_id for _, event_id in conflicts)
        super().__init__(
            f"event_id {ids}: already used by this agency for an event with a different body; "
            "a new event needs a new event_id (nothing of the batch was published)"
        )
        self.problems: list[dict[str, object]] = [
            {"index": index, "field": "event_id", "rule": CONFLICT_RULE} for index, _ in conflicts
        ]


class UnavailableError(GatewayError):
    """Raised when the broker or the schema registry cannot take events now (retry later)."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        """Say what is unavailable and after how many seconds to try again."""
        super().__init__(message)
        self.retry_after_s = retry_after_s
