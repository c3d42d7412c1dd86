"""Errors of the event contract: schemas, code lists, validation and the codec."""

from __future__ import annotations

from services.exceptions import JoinedUpError


class ContractError(JoinedUpError):
    """Raised when an event, a schema or a message breaks the event contract."""


class UnknownEventTypeError(ContractError):
    """Raised when an event type has no schema in the catalogue."""

    def __init__(self, event_type: str) -> None:
        """Name the unknown event type."""
        super().__init__(f"event_type: {event_type!r} has no schema in schemas/avro")
        self.event_type = event_type


class EventValidationError(ContractError):
    """Raised when an event breaks a rule of the contract; names the field and the rule."""

    def __init__(self, field: str, rule: str) -> None:
        """Keep the field and the rule apart so callers can report them."""
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class UnknownCodeError(ContractError):
    """Raised when a code is not in its code list (schemas/codes)."""

    def __init__(self, code_list: str, code: str) -> None:
        """Name the code list and the code."""
        super().__init__(f"{code!r} is not a code of the {code_list} code list")
        self.code_list = code_list
        self.code = code


class CodeListError(ContractError):
    """Raised when a code list file is missing or malformed."""


class SchemaFileError(ContractError):
    """Raised when a .avsc file is missing, not JSON, or breaks the schema layout rules."""


class BadMagicByteError(ContractError):
    """Raised when a message does not start with the Confluent magic byte 0x00 and a schema id."""


class UnknownSchemaIdError(ContractError):
    """Raised when a message names a schema id the schema source does not know."""

    def __init__(self, schema_id: int) -> None:
        """Name the schema id."""
        super().__init__(f"schema id {schema_id} is unknown to the schema source")
        self.schema_id = schema_id


class UndecodableBodyError(ContractError):
    """Raised when an Avro body cannot be read with its writer schema (truncated, corrupt)."""


class UnencodableRecordError(ContractError):
    """Raised when a record cannot be written with its event type's schema."""


class IncompatibleSchemaError(ContractError):
    """Raised when a schema change breaks BACKWARD_TRANSITIVE compatibility."""
