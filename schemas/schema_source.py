"""Where the codec gets schema ids and writer schemas: a small protocol.

The registry client (schemas/registry_client.py) implements it against a
Confluent-compatible registry; `InMemorySchemaSource` serves tests and tools.
"""

from __future__ import annotations

import threading
from typing import Protocol

from schemas.exceptions import UnknownSchemaIdError


class SchemaSource(Protocol):
    """Looks up schemas by id, and the id of a schema under a subject."""

    def schema_by_id(self, schema_id: int) -> str:
        """Return the schema text registered under `schema_id`; raise `UnknownSchemaIdError`."""
        ...

    def id_for(self, subject: str, schema: str) -> int:
        """Return the id of `schema` under `subject`, registering it if the source may."""
        ...


class InMemorySchemaSource:
    """A schema source held in memory: ids from 1 upward, one id per distinct schema text."""

    def __init__(self) -> None:
        """Start empty."""
        self._by_id: dict[int, str] = {}
        self._ids: dict[str, int] = {}
        self._subjects: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def schema_by_id(self, schema_id: int) -> str:
        """Return the schema text registered under `schema_id`."""
        try:
            return self._by_id[schema_id]
        except KeyError:
            raise UnknownSchemaIdError(schema_id) from None

    def id_for(self, subject: str, schema: str) -> int:
        """Return the id of `schema`, registering it under `subject` on first use."""
        with self._lock:
            schema_id = self._ids.get(schema)
            if schema_id is None:
                schema_id = len(self._by_id) + 1
                self._by_id[schema_id] = schema
                self._ids[schema] = schema_id
            versions = self._subjects.setdefault(subject, [])
            if schema_id not in versions:
                versions.append(schema_id)
            return schema_id

    def versions(self, subject: str) -> list[int]:
        """Schema ids registered under `subject`, oldest first."""
        return list(self._subjects.get(subject, []))
