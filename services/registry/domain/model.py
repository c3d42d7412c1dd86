"""What the registry holds: versions of schemas under subjects, and compatibility levels.

These are also the records of the schemas topic, one record per change; the
registry's state is what replaying them in order gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

from services.registry.exceptions import InvalidCompatibilityLevelError

CompatibilityLevel = Literal[
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
]
COMPATIBILITY_LEVELS: Final[tuple[CompatibilityLevel, ...]] = get_args(CompatibilityLevel)
DEFAULT_LEVEL: Final[CompatibilityLevel] = "BACKWARD_TRANSITIVE"  # DESIGN.md decision 2
SCHEMA_TYPES: Final = ("AVRO",)


def compatibility_level(name: object) -> CompatibilityLevel:
    """Return `name` as a compatibility level, or raise `InvalidCompatibilityLevelError`."""
    for level in COMPATIBILITY_LEVELS:
        if isinstance(name, str) and name.upper() == level:
            return level
    raise InvalidCompatibilityLevelError(
        f"Invalid compatibility level {name!r}. Valid values are: {', '.join(COMPATIBILITY_LEVELS)}"
    )


@dataclass(frozen=True, slots=True)
class SchemaVersion:
    """Version `version` of `subject` is schema `schema_id` (text `schema`); maybe soft-deleted."""

    subject: str
    version: int
    schema_id: int
    schema: str
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class LevelChanged:
    """The compatibility level of `subject` (None: the global default) was set, or removed."""

    subject: str | None
    level: CompatibilityLevel | None


@dataclass(frozen=True, slots=True)
class VersionRetracted:
    """A record that lost a race for a free subject version is withdrawn (a tombstone).

    Replaying ignores it; compaction then drops the losing record, which could
    otherwise outlive the record it lost to and win on a later replay.
    """

    subject: str
    version: int


RegistryRecord = SchemaVersion | LevelChanged | VersionRetracted
