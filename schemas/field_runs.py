"""Write a record in runs of its fields, so runs shared by several records are written once.

Avro's binary form of a record is its fields' forms one after another, so the
bytes of a record are the bytes of any cut of its fields into contiguous runs,
concatenated. The router writes three views and three audit records per event
that share most of their fields; each shared run is written once per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schemas.exceptions import SchemaFileError
from schemas.fast_writer import RecordWriter, compile_writer


@dataclass(frozen=True, slots=True)
class FieldRuns:
    """The framing prefix of an event type and one writer per run of its fields."""

    event_type: str
    prefix: bytes
    writers: tuple[RecordWriter, ...]


def compile_runs(
    event_type: str, prefix: bytes, parsed: dict[str, Any], runs: Sequence[Sequence[str]]
) -> FieldRuns:
    """Writers of `runs`, which must cut the schema's fields in order, leaving none out."""
    names = [field["name"] for field in parsed["fields"]]
    if [name for run in runs for name in run] != names:
        msg = f"{event_type}: runs {list(map(list, runs))} do not cut the fields {names} in order"
        raise SchemaFileError(msg)
    by_name = {field["name"]: field for field in parsed["fields"]}
    writers = tuple(
        compile_writer(
            {
                "type": "record",
                "name": f"{parsed['name']}_run{number}",
                "fields": [by_name[name] for name in run],
            }
        )
        for number, run in enumerate(runs)
    )
    return FieldRuns(event_type, prefix, writers)
