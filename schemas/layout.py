"""Layout rules every .avsc file obeys (docs/architecture.md, "The event contract")."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from schemas.agency_fields import AGENCY_ID_FORMAT, AGENCY_ROLES
from schemas.envelope import ENVELOPE_CLASSES, ENVELOPE_NAMES
from schemas.exceptions import SchemaFileError

NAMESPACE_ROOT: Final = "uk.joinedup"
DATA_CLASSES: Final = frozenset({"identifying", "special-category", "contact", "operational"})
ENVELOPE: Final = ENVELOPE_NAMES  # the envelope field names, in order, for their readers


def nested_fields(schema: Any) -> Iterator[Mapping[str, Any]]:
    """Yield the fields of records nested anywhere inside a field type."""
    if isinstance(schema, list):
        for branch in schema:
            yield from nested_fields(branch)
    elif isinstance(schema, dict):
        if schema.get("type") == "record":
            for field in schema.get("fields", []):
                yield field
                yield from nested_fields(field.get("type"))
        elif schema.get("type") == "array":
            yield from nested_fields(schema.get("items"))
        elif schema.get("type") == "map":
            yield from nested_fields(schema.get("values"))


def check_layout(definition: Mapping[str, Any], domain: str, event_type: str) -> None:
    """Raise `SchemaFileError` unless `definition` follows the contract's layout."""
    where = f"{domain}/{event_type}.avsc"
    if definition.get("type") != "record" or definition.get("name") != event_type:
        raise SchemaFileError(f"{where}: must be a record named {event_type}")
    if definition.get("namespace") != f"{NAMESPACE_ROOT}.{domain}":
        raise SchemaFileError(f"{where}: namespace must be {NAMESPACE_ROOT}.{domain}")
    if not definition.get("doc"):
        raise SchemaFileError(f"{where}: the record needs a doc string")
    fields = definition.get("fields", [])
    names = tuple(field.get("name") for field in fields)
    if names[: len(ENVELOPE_NAMES)] != ENVELOPE_NAMES:
        raise SchemaFileError(f"{where}: must start with the envelope {', '.join(ENVELOPE_NAMES)}")
    for field in fields:
        _check_field(where, field)
    for field in nested_fields({"type": "record", "fields": fields}):
        _check_field(where, field)
    for field in fields[: len(ENVELOPE_NAMES)]:
        if field["x-data-class"] != ENVELOPE_CLASSES[field["name"]]:
            raise SchemaFileError(
                f"{where}: envelope field {field['name']} must be {ENVELOPE_CLASSES[field['name']]}"
            )


def _check_field(where: str, field: Mapping[str, Any]) -> None:
    name = field.get("name")
    if field.get("x-data-class") not in DATA_CLASSES:
        raise SchemaFileError(
            f"{where}: field {name} needs x-data-class, one of {sorted(DATA_CLASSES)}"
        )
    if not field.get("doc"):
        raise SchemaFileError(f"{where}: field {name} needs a doc string")
    names_agency = field.get("x-format") == AGENCY_ID_FORMAT
    if names_agency and field.get("x-agency") not in AGENCY_ROLES:
        raise SchemaFileError(
            f"{where}: field {name} names an agency, so it needs x-agency, one of "
            f"{list(AGENCY_ROLES)} (the publishing agency, or another agency)"
        )
    if not names_agency and "x-agency" in field:
        raise SchemaFileError(
            f"{where}: field {name} has x-agency but is not an x-format {AGENCY_ID_FORMAT} field"
        )
