"""Small Avro schemas for the registry tests: a record and its compatible and breaking changes."""

from __future__ import annotations

import json

NAMESPACE = "uk.joinedup.test"


def record(name: str = "PupilNoted", *extra: dict) -> str:
    """A record schema with a required `child_ref` and any `extra` fields."""
    fields = [{"name": "child_ref", "type": "string"}, *extra]
    return json.dumps({"type": "record", "name": name, "namespace": NAMESPACE, "fields": fields})


def with_optional_note(name: str = "PupilNoted") -> str:
    """`record` plus a field with a default: BACKWARD compatible."""
    return record(name, {"name": "note", "type": ["null", "string"], "default": None})


def with_required_count(name: str = "PupilNoted") -> str:
    """`record` plus a field without a default: breaks BACKWARD, keeps FORWARD."""
    return record(name, {"name": "count", "type": "int"})
