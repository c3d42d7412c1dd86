"""The catalogue of event schemas: every .avsc file under schemas/avro, read once.

`Catalogue.load()` reads the files on first use and caches the result; parsed
(fastavro) schemas are built on first request per event type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import fastavro

from schemas.exceptions import SchemaFileError, UnknownEventTypeError
from schemas.layout import check_layout

AVRO_DIR = Path(__file__).parent / "avro"


def parse_schema_text(text: str) -> dict[str, Any]:
    """Parse a record schema's JSON text with fastavro (the form the codec uses)."""
    return cast("dict[str, Any]", fastavro.parse_schema(json.loads(text)))


@dataclass(frozen=True, slots=True)
class EventSchema:
    """One event type's schema file and what is derived from it."""

    event_type: str
    domain: str
    path: Path
    definition: Mapping[str, Any]
    text: str
    field_classes: Mapping[str, str]

    @property
    def subject(self) -> str:
        """Registry subject (Confluent RecordNameStrategy): `<namespace>.<EventType>`."""
        return f"{self.definition['namespace']}.{self.event_type}"


def read_schema_file(path: Path) -> EventSchema:
    """Read and check one .avsc file laid out as `<domain>/<EventType>.avsc`."""
    domain, event_type = path.parent.name, path.stem
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaFileError(f"{domain}/{path.name}: cannot be read as JSON ({exc})") from exc
    check_layout(definition, domain, event_type)
    classes = {f["name"]: f["x-data-class"] for f in definition["fields"]}
    return EventSchema(
        event_type=event_type,
        domain=domain,
        path=path,
        definition=definition,
        text=json.dumps(definition, separators=(",", ":"), ensure_ascii=False),
        field_classes=MappingProxyType(classes),
    )


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Every event type's schema, by event type; compared and hashed by identity."""

    entries: Mapping[str, EventSchema]
    _parsed: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, root: Path | None = None) -> Catalogue:
        """Return the catalogue of `root` (default: schemas/avro), read once and cached."""
        return _load(root or AVRO_DIR)

    @classmethod
    def from_directory(cls, root: Path) -> Catalogue:
        """Read every `<domain>/<EventType>.avsc` under `root` (not cached)."""
        entries: dict[str, EventSchema] = {}
        for path in sorted(root.glob("*/*.avsc")):
            entry = read_schema_file(path)
            if entry.event_type in entries:
                raise SchemaFileError(f"event type {entry.event_type} is defined twice")
            entries[entry.event_type] = entry
        if not entries:
            raise SchemaFileError(f"no .avsc files under {root}")
        return cls(MappingProxyType(entries))

    @property
    def event_types(self) -> tuple[str, ...]:
        """Every event type, sorted."""
        return tuple(sorted(self.entries))

    def __contains__(self, event_type: object) -> bool:
        """Say whether the catalogue has a schema for `event_type`."""
        return event_type in self.entries

    def entry(self, event_type: str) -> EventSchema:
        """Return the schema file entry of `event_type`."""
        try:
            return self.entries[event_type]
        except KeyError:
            raise UnknownEventTypeError(event_type) from None

    def schema(self, event_type: str) -> dict[str, Any]:
        """The parsed (fastavro) schema of `event_type`, parsed on first request."""
        parsed = self._parsed.get(event_type)
        if parsed is None:
            parsed = parse_schema_text(self.entry(event_type).text)
            self._parsed[event_type] = parsed
        return parsed

    def raw(self, event_type: str) -> str:
        """The schema as compact JSON text, as registered with the schema registry."""
        return self.entry(event_type).text

    def definition(self, event_type: str) -> Mapping[str, Any]:
        """The schema as JSON data, custom properties (x-data-class, x-code-list...) kept."""
        return self.entry(event_type).definition

    def field_classes(self, event_type: str) -> Mapping[str, str]:
        """Data class (`x-data-class`) of every top-level field of `event_type`."""
        return self.entry(event_type).field_classes

    def subject(self, event_type: str) -> str:
        """Registry subject of `event_type`: `<namespace>.<EventType>`."""
        return self.entry(event_type).subject

    def domain(self, event_type: str) -> str:
        """Domain (directory under schemas/avro) of `event_type`."""
        return self.entry(event_type).domain


@cache
def _load(root: Path) -> Catalogue:
    return Catalogue.from_directory(root)
