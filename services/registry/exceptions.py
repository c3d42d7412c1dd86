"""Errors of the embedded schema registry, each carrying its Confluent error code.

The codes are those Confluent Schema Registry answers with, so off-the-shelf
clients recognise them: `error_code` in the JSON body, `status` as HTTP status.
"""

from __future__ import annotations

from typing import ClassVar

from services.exceptions import JoinedUpError


class RegistryError(JoinedUpError):
    """Raised when the registry cannot do what a request asked; carries the REST error code."""

    status: ClassVar[int] = 500
    error_code: ClassVar[int] = 50001


class SubjectNotFoundError(RegistryError):
    """Raised when a subject has no (live) versions."""

    status = 404
    error_code = 40401

    def __init__(self, subject: str) -> None:
        """Name the subject."""
        super().__init__(f"Subject '{subject}' not found.")


class VersionNotFoundError(RegistryError):
    """Raised when a subject has no (live) version of that number."""

    status = 404
    error_code = 40402

    def __init__(self, subject: str, version: int | str) -> None:
        """Name the subject and the version."""
        super().__init__(f"Version {version} not found under subject '{subject}'.")


class SchemaNotFoundError(RegistryError):
    """Raised when a schema id, or a schema under a subject, is not registered."""

    status = 404
    error_code = 40403


class SubjectConfigNotFoundError(RegistryError):
    """Raised when a subject has no compatibility level of its own."""

    status = 404
    error_code = 40408

    def __init__(self, subject: str) -> None:
        """Name the subject."""
        super().__init__(
            f"Subject '{subject}' does not have subject-level compatibility configured"
        )


class IncompatibleSchemaError(RegistryError):
    """Raised when a schema breaks the subject's compatibility level against earlier versions."""

    status = 409
    error_code = 409


class InvalidSchemaError(RegistryError):
    """Raised when a schema is not valid Avro, or is of a type this registry does not serve."""

    status = 422
    error_code = 42201


class InvalidVersionError(RegistryError):
    """Raised when a version is neither a positive integer nor `latest`."""

    status = 422
    error_code = 42202

    def __init__(self, version: str) -> None:
        """Name the version as given."""
        super().__init__(
            f"The specified version '{version}' is not a valid version id. Allowed values are "
            'between [1, 2^31-1] and the string "latest"'
        )


class InvalidCompatibilityLevelError(RegistryError):
    """Raised when a compatibility level is not one of Confluent's names."""

    status = 422
    error_code = 42203


class StoreTimeoutError(RegistryError):
    """Raised when a write was not read back from the schemas topic in time."""

    status = 500
    error_code = 50002


class StoreConflictError(RegistryError):
    """Raised when concurrent writers kept winning the race for the next id or version."""

    status = 500
    error_code = 50001


class UnreadableRequestError(RegistryError):
    """Raised when a request body is not the JSON object the endpoint expects."""

    status = 400
    error_code = 400


class UnsupportedOperationError(RegistryError):
    """Raised when a request asks for something this registry deliberately does not do."""

    status = 422
    error_code = 422


class UnreadableRecordError(RegistryError, ValueError):
    """Raised when a record of the schemas topic is not in the registry's key/value layout."""
