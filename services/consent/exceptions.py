"""Errors of the consent service; each names the field at fault and the rule broken."""

from consent.exceptions import ConsentError
from services.exceptions import JoinedUpError


class ConsentServiceError(ConsentError):
    """Raised when a consent service request cannot be carried out."""

    status = 400
    retry_after_s: int | None = None  # a 503 says how long to wait

    def __init__(self, field: str, rule: str) -> None:
        """Say which `field` broke which `rule`."""
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class UnauthenticatedError(ConsentServiceError):
    """Raised when a request carries no bearer token or an unknown one."""

    status = 401


class ForbiddenError(ConsentServiceError):
    """Raised when the signed-in user's role may not do what was asked."""

    status = 403


class NotFoundError(ConsentServiceError):
    """Raised when the agreement, child or resource asked for is not known."""

    status = 404


class ConflictError(ConsentServiceError):
    """Raised when a change conflicts with the current state (exists, retired, stale)."""

    status = 409


class InvalidRequestError(ConsentServiceError):
    """Raised when a request is well-formed JSON but breaks a rule of the consent model."""

    status = 422


class NotReadyError(ConsentServiceError):
    """Raised when the service is asked for something before it has rebuilt its state."""

    status = 503


class UnavailableError(ConsentServiceError):
    """Raised when the bus or the audit database does not take a write now (503, Retry-After)."""

    status = 503

    def __init__(self, field: str, rule: str, retry_after_s: int) -> None:
        """Say what is unavailable and how many seconds to wait before trying again."""
        super().__init__(field, rule)
        self.retry_after_s = retry_after_s


class ConsentStartError(ConsentError):
    """Raised when the consent service cannot start (e.g. its audit database is unreachable)."""


class ForeignRowError(JoinedUpError):
    """Raised when another child's row reaches a subject access report (a bug: a 500)."""


class UsersFileError(ConsentError):
    """Raised when the users file (token digests and roles) is missing or malformed."""
