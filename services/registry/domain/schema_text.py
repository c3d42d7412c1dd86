"""Schema text: checking it is Avro, and the form in which two texts compare equal.

Equality is on the JSON with whitespace and key order normalised, not on
Avro's Parsing Canonical Form: that form drops defaults, docs and custom
properties, and here `x-data-class` drives redaction, so a schema that changes
only a default or a data class is a new schema with a new id.
"""

from __future__ import annotations

import json
from typing import Any

import avro.errors
import avro.schema
import fastavro
from fastavro.schema import SchemaParseException

from services.registry.exceptions import InvalidSchemaError


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidSchemaError(f"Invalid schema: not JSON ({exc})") from exc


def canonical_form(text: str) -> str:
    """The text as compact JSON with sorted keys: equal for schemas that mean the same."""
    return json.dumps(_json(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_avro(text: str) -> None:
    """Raise `InvalidSchemaError` unless `text` is an Avro schema both fastavro and avro accept."""
    definition = _json(text)
    try:
        fastavro.parse_schema(definition, _write_hint=False)
        avro.schema.parse(text)
    except (SchemaParseException, avro.errors.AvroException, ValueError, TypeError) as exc:
        raise InvalidSchemaError(f"Invalid schema: {exc}") from exc
