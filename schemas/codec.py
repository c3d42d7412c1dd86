"""Avro in the Confluent wire format: 0x00, a 4-byte big-endian schema id, the Avro body.

Writes with the catalogue's current schema of the event type; reads with the
writer schema named by the id and resolves it into the current reader schema,
so a message written under an older schema version decodes into today's shape.
Parsed schemas, wire prefixes, compiled writers (schemas.fast_writer: fastavro's
bytes, faster) and compiled readers (schemas.fast_reader: fastavro's records, faster;
used when the writer schema is the reader schema, fastavro resolves the others) are
computed once per event type / schema id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any, Final, cast

import fastavro
from fastavro.read import SchemaResolutionError

from schemas.catalogue import Catalogue, parse_schema_text
from schemas.exceptions import (
    BadMagicByteError,
    ContractError,
    UndecodableBodyError,
    UnencodableRecordError,
)
from schemas.fast_reader import RecordReader, compile_reader
from schemas.fast_writer import RecordWriter, compile_writer
from schemas.field_runs import FieldRuns, compile_runs
from schemas.schema_source import SchemaSource

MAGIC_BYTE: Final = 0
HEADER_SIZE: Final = 5
_MAX_SCHEMA_ID: Final = 2**32 - 1


@dataclass(frozen=True, slots=True)
class _Writer:
    prefix: bytes
    parsed: dict[str, Any]
    write: RecordWriter


@dataclass(frozen=True, slots=True)
class _Reader:
    writer: dict[str, Any]
    reader: dict[str, Any] | None
    read: RecordReader | None  # compiled, when no schema resolution is needed


def _reader_entry(writer: dict[str, Any], reader: dict[str, Any] | None) -> _Reader:
    """How to read a writer schema's records: compiled, unless resolved into `reader`."""
    return _Reader(writer, reader, compile_reader(writer) if reader is None else None)


def wire_prefix(schema_id: int) -> bytes:
    """The 5-byte Confluent header for `schema_id`."""
    if not 0 <= schema_id <= _MAX_SCHEMA_ID:
        raise ContractError(f"schema id {schema_id} does not fit in 4 bytes")
    return bytes((MAGIC_BYTE,)) + schema_id.to_bytes(4, "big")


def schema_id_of(data: bytes) -> int:
    """The schema id of a Confluent-framed message; raise `BadMagicByteError` if unframed."""
    if len(data) < HEADER_SIZE or data[0] != MAGIC_BYTE:
        raise BadMagicByteError(
            "message does not start with the Confluent magic byte 0x00 and a 4-byte schema id"
        )
    return int.from_bytes(data[1:HEADER_SIZE], "big")


class AvroCodec:
    """Encodes event dicts to Confluent-framed Avro and back."""

    def __init__(self, source: SchemaSource, catalogue: Catalogue | None = None) -> None:
        """Take schema ids and writer schemas from `source`; reader schemas from `catalogue`."""
        self._source = source
        self._catalogue = catalogue or Catalogue.load()
        self._writers: dict[str, _Writer] = {}
        self._readers: dict[int, _Reader] = {}

    def _writer(self, event_type: str) -> _Writer:
        entry = self._catalogue.entry(event_type)
        schema_id = self._source.id_for(entry.subject, entry.text)
        parsed = self._catalogue.schema(event_type)
        writer = _Writer(wire_prefix(schema_id), parsed, compile_writer(parsed))
        self._writers[event_type] = writer
        if schema_id not in self._readers:
            self._readers[schema_id] = _reader_entry(writer.parsed, None)
        return writer

    def knows_writer(self, event_type: str) -> bool:
        """True when `event_type`'s schema id is known: encoding it asks the registry nothing."""
        return event_type in self._writers

    def encode(self, event_type: str, record: dict[str, Any]) -> bytes:
        """Write `record` with the current schema of `event_type`, framed with its schema id."""
        writer = self._writers.get(event_type) or self._writer(event_type)
        try:
            body = writer.write(record)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            raise UnencodableRecordError(
                f"{event_type}: record does not fit its schema ({type(exc).__name__}: {exc})"
            ) from exc
        return writer.prefix + body

    def field_runs(self, event_type: str, runs: Sequence[Sequence[str]]) -> FieldRuns:
        """Writers of contiguous runs of `event_type`'s fields (schemas/field_runs.py)."""
        writer = self._writers.get(event_type) or self._writer(event_type)
        return compile_runs(event_type, writer.prefix, writer.parsed, runs)

    def _reader(self, schema_id: int) -> _Reader:
        text = self._source.schema_by_id(schema_id)
        try:
            writer = parse_schema_text(text)
        except (ValueError, fastavro.schema.SchemaParseException) as exc:
            raise UndecodableBodyError(f"schema id {schema_id}: writer schema is unusable") from exc
        event_type = str(writer.get("name", "")).rsplit(".", 1)[-1]
        reader: dict[str, Any] | None = None
        if event_type in self._catalogue and self._catalogue.raw(event_type) != text:
            reader = self._catalogue.schema(event_type)
        entry = _reader_entry(writer, reader)
        self._readers[schema_id] = entry
        return entry

    def decode(self, data: bytes) -> dict[str, Any]:
        """Read a Confluent-framed message into the current reader schema of its event type."""
        schema_id = schema_id_of(data)
        entry = self._readers.get(schema_id) or self._reader(schema_id)
        record: Any
        try:
            if entry.read is not None:
                record, end = entry.read(data, HEADER_SIZE)
            else:
                body = BytesIO(data)
                body.seek(HEADER_SIZE)
                record = fastavro.schemaless_reader(body, entry.writer, entry.reader)
                end = body.tell()
        except (
            EOFError,
            ValueError,
            TypeError,
            IndexError,
            KeyError,
            OverflowError,
            SchemaResolutionError,
        ) as exc:
            raise UndecodableBodyError(
                f"schema id {schema_id}: body cannot be read ({type(exc).__name__}: {exc})"
            ) from exc
        if end != len(data):
            raise UndecodableBodyError(
                f"schema id {schema_id}: {len(data) - end} byte(s) left after the record"
            )
        return cast("dict[str, Any]", record)

    def event_type_of(self, data: bytes) -> str:
        """The event type a framed message was written as (from its writer schema's name)."""
        schema_id = schema_id_of(data)
        entry = self._readers.get(schema_id) or self._reader(schema_id)
        return str(entry.writer["name"]).rsplit(".", 1)[-1]
