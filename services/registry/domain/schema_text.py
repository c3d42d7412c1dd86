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

MAX_SCHEMA_BYTES = 512 * 1024  # stored as one Kafka record with its metadata


def _json(text: str) -> Any:
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidSchemaError("Invalid schema: not valid UTF-8 text") from None
    if size > MAX_SCHEMA_BYTES:
        raise InvalidSchemaError(f"Invalid schema: over {MAX_SCHEMA_BYTES} bytes")
    try:
        definition = json.loads(text)
        json.dumps(definition, ensure_ascii=False).encode("utf-8")  # no lone surrogate escapes
    except RecursionError:
        raise InvalidSchemaError("Invalid schema: nested too deeply") from None
    except UnicodeEncodeError:
        raise InvalidSchemaError("Invalid schema: a string is not valid Unicode") from None
    except ValueError as exc:
        raise InvalidSchemaError(f"Invalid schema: not JSON ({exc})") from exc
    return definition


def canonical_form(text: str) -> str:
    """The text as compact JSON with sorted keys: equal for schemas that mean the same."""
    return json.dumps(_json(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_avro(text: str) -> None:
    """Raise `InvalidSchemaError` unless `text` is an Avro schema both fastavro and avro accept."""
    definition = _json(text)
    try:
        fastavro.parse_schema(definition, _write_hint=False)
        avro.schema.parse(text)
    except RecursionError:
        raise InvalidSchemaError("Invalid schema: nested too deeply") from None
    except (SchemaParseException, avro.errors.AvroException, ValueError, TypeError) as exc:
        raise InvalidSchemaError(f"Invalid schema: {exc}") from exc
    except (KeyError, AttributeError, IndexError) as exc:  # fastavro on a malformed definition
        raise InvalidSchemaError(f"Invalid schema: {type(exc).__name__} {exc}") from exc
