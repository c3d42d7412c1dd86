"""Errors of the schema registry client, naming the registry's URL and its own message."""

from __future__ import annotations

from schemas.exceptions import IncompatibleSchemaError, UnknownSchemaIdError
from services.exceptions import JoinedUpError


class RegistryClientError(JoinedUpError):
    """Raised when a schema registry cannot be used for what was asked."""


class RegistryUnreachableError(RegistryClientError):
    """Raised when no schema registry answers at the configured URL within the timeout."""


class RegistryRequestError(RegistryClientError):
    """Raised when the registry answers with an error; keeps its status, code and message."""

    def __init__(self, url: str, status: int, error_code: int, message: str) -> None:
        """Keep what the registry said, and where."""
        # Exception.__init__ directly: subclasses also derive from errors with other signatures.
        Exception.__init__(
            self, f"schema registry at {url} answered {status} (error {error_code}): {message}"
        )
        self.url = url
        self.status = status
        self.error_code = error_code
        self.registry_message = message


class RegistrySubjectNotFoundError(RegistryRequestError):
    """Raised when the registry has no such subject (40401)."""


class RegistryVersionNotFoundError(RegistryRequestError):
    """Raised when the subject has no such version (40402)."""


class RegistrySchemaNotFoundError(RegistryRequestError):
    """Raised when a schema is not registered under the subject (40403 on a lookup)."""


class RegistrySchemaIdNotFoundError(RegistryRequestError, UnknownSchemaIdError):
    """Raised when the registry knows no schema of that id (40403 on an id lookup)."""


class RegistryInvalidSchemaError(RegistryRequestError):
    """Raised when the registry refuses a schema as invalid (42201)."""


class RegistryIncompatibleSchemaError(RegistryRequestError, IncompatibleSchemaError):
    """Raised when the registry refuses a schema as incompatible with the subject (409)."""
