"""Use cases of the registry: each write goes through the log, reads come from the state."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Final, Protocol

from services.registry.domain.compatibility import problems
from services.registry.domain.model import (
    SCHEMA_TYPES,
    CompatibilityLevel,
    LevelChanged,
    RegistryRecord,
    SchemaVersion,
    VersionRetracted,
)
from services.registry.domain.schema_text import check_avro
from services.registry.domain.state import Latest, RegistryState
from services.registry.exceptions import (
    IncompatibleSchemaError,
    InvalidSchemaError,
    StoreConflictError,
)

ATTEMPTS: Final = 5


class RegistryLog(Protocol):
    """Where records go: `append` returns once the record is applied to the state."""

    async def append(self, record: RegistryRecord) -> None:
        """Write `record` and wait until it is applied."""
        ...


def check_schema_type(schema_type: str | None) -> None:
    """Raise 42201 unless `schema_type` is one this registry serves (Avro only)."""
    if (schema_type or "AVRO").upper() not in SCHEMA_TYPES:
        raise InvalidSchemaError(
            f"Invalid schema: schemaType {schema_type!r} is not supported by this registry, "
            "which serves AVRO only"
        )


class SchemaRegistry:
    """The registry's use cases over a state and the log that feeds it."""

    def __init__(self, state: RegistryState, log: RegistryLog) -> None:
        """Read from `state`; write through `log`."""
        self.state = state
        self._log = log
        self._writing = asyncio.Lock()

    async def register_schema(self, subject: str, schema: str, schema_type: str | None) -> int:
        """Register `schema` under `subject` (a no-op if it is live there); return its id."""
        check_schema_type(schema_type)
        check_avro(schema)
        async with self._writing:
            for _ in range(ATTEMPTS):
                found = self.state.find(subject, schema)
                if found is not None:
                    return found.schema_id
                live = self.state.history(subject)
                broken = problems(self.state.level(subject), schema, live)
                if broken:
                    raise IncompatibleSchemaError(
                        "Schema being registered is incompatible with an earlier schema for "
                        f'subject "{subject}" ({self.state.level(subject)}): ' + "; ".join(broken)
                    )
                record = SchemaVersion(
                    subject, self.state.next_version(subject), self.state.id_for(schema), schema
                )
                await self._log.append(record)
                if self.state.holds(record):
                    return record.schema_id
                await self._restate(record)
        raise StoreConflictError(
            f"gave up registering under {subject}: other registries kept winning"
        )

    async def _restate(self, lost: SchemaVersion) -> None:
        # Compaction keeps the last record of a key, and only that: the losing record must
        # not be it. If another registry took this subject version, write the winner again;
        # if the version is free (the id was taken), withdraw the losing record.
        winner = self.state.at(lost.subject, lost.version)
        if winner is None:
            await self._log.append(VersionRetracted(lost.subject, lost.version))
        else:
            await self._log.append(winner)

    async def delete_subject(self, subject: str) -> list[int]:
        """Soft-delete every live version of `subject`; return their numbers."""
        async with self._writing:
            live = self.state.versions(subject)
            for version in live:
                await self._log.append(replace(version, deleted=True))
            return [version.version for version in live]

    async def delete_version(self, subject: str, version: int | Latest) -> int:
        """Soft-delete one live version of `subject`; return its number."""
        async with self._writing:
            found = self.state.version(subject, version)
            await self._log.append(replace(found, deleted=True))
            return found.version

    async def set_level(self, subject: str | None, level: CompatibilityLevel) -> None:
        """Set the compatibility level of `subject` (None: the global level)."""
        await self._log.append(LevelChanged(subject, level))

    async def delete_level(self, subject: str) -> CompatibilityLevel:
        """Remove the level set on `subject` (it falls back to the global one); return it."""
        previous = self.state.subject_level(subject)
        await self._log.append(LevelChanged(subject, None))
        return previous

    def check_compatibility(
        self,
        subject: str,
        schema: str,
        version: int | Latest | None,
        schema_type: str | None = None,
    ) -> list[str]:
        """Why `schema` breaks the subject's level against one version (None: per the level).

        Like a registration, a schema of another type than Avro is refused (42201).
        """
        check_schema_type(schema_type)
        check_avro(schema)
        level = self.state.level(subject)
        if version is None:
            live = self.state.history(subject)
            return problems(level, schema, live)
        return problems(level, schema, [self.state.version(subject, version)])
