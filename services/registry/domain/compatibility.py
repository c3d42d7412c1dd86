"""Whether a new schema may join a subject under the subject's compatibility level.

BACKWARD: the new schema reads data written with the earlier one; FORWARD:
the earlier reads the new; FULL: both. Plain levels compare with the latest
live version only, `_TRANSITIVE` levels with every live version. The check
itself is the Apache `avro` package's, through `schemas.compatibility`.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas.compatibility import incompatibilities
from schemas.exceptions import SchemaFileError
from services.registry.domain.model import CompatibilityLevel, SchemaVersion
from services.registry.exceptions import InvalidSchemaError


def _one_way(reader: str, writer: str, what: str) -> list[str]:
    try:
        return [f"{what}: {message}" for message in incompatibilities(reader, writer)]
    except SchemaFileError as exc:
        raise InvalidSchemaError(f"Invalid schema: {exc}") from exc


def problems(level: CompatibilityLevel, new: str, earlier: Sequence[SchemaVersion]) -> list[str]:
    """Why `new` breaks `level` against `earlier` (live versions, oldest first); empty if not."""
    if level == "NONE" or not earlier:
        return []
    against = earlier if level.endswith("_TRANSITIVE") else earlier[-1:]
    found: list[str] = []
    for old in against:
        if level.startswith(("BACKWARD", "FULL")):
            what = f"new schema cannot read data written with version {old.version}"
            found += _one_way(new, old.schema, what)
        if level.startswith(("FORWARD", "FULL")):
            what = f"version {old.version} cannot read data written with the new schema"
            found += _one_way(old.schema, new, what)
    return found
