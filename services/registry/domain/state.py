"""The registry's state: what replaying the schemas topic in order gives.

Ids are global: one id per distinct schema (by `canonical_form`), shared by
every subject that registers it, never reused. Versions count up per subject
and survive soft deletion. When registries race, the topic's order decides:
a record that would bind a taken version, or a taken id, to another schema is
refused by `apply`, identically in every registry replaying the same topic.
"""

from __future__ import annotations

from typing import Literal

from services.registry.domain.model import (
    DEFAULT_LEVEL,
    CompatibilityLevel,
    LevelChanged,
    RegistryRecord,
    SchemaVersion,
    VersionRetracted,
)
from services.registry.domain.schema_text import canonical_form
from services.registry.exceptions import (
    InvalidSchemaError,
    SchemaNotFoundError,
    SubjectConfigNotFoundError,
    SubjectNotFoundError,
    VersionNotFoundError,
)

Latest = Literal["latest"]


class RegistryState:
    """Subjects, versions, ids and compatibility levels, built by applying records."""

    def __init__(self) -> None:
        """Start empty, with the default global compatibility level."""
        self._subjects: dict[str, dict[int, SchemaVersion]] = {}
        self._texts: dict[int, str] = {}
        self._canonical_ids: dict[str, int] = {}
        self._levels: dict[str | None, CompatibilityLevel] = {}

    def apply(self, record: RegistryRecord) -> bool:
        """Apply one record; False when it loses a race to an earlier record (state unchanged)."""
        if isinstance(record, LevelChanged):
            if record.level is None:
                self._levels.pop(record.subject, None)
            else:
                self._levels[record.subject] = record.level
            return True
        if isinstance(record, VersionRetracted):
            return True  # only ever written for a version the state does not hold
        return self._apply_version(record)

    def _apply_version(self, record: SchemaVersion) -> bool:
        try:
            canonical = canonical_form(record.schema)
        except InvalidSchemaError:
            return False
        versions = self._subjects.get(record.subject, {})
        taken = versions.get(record.version)
        if taken is not None and taken.schema_id != record.schema_id:
            return False
        if self._canonical_ids.get(canonical, record.schema_id) != record.schema_id:
            return False
        known = self._texts.get(record.schema_id)
        if known is not None and canonical_form(known) != canonical:
            return False
        self._texts.setdefault(record.schema_id, record.schema)
        self._canonical_ids.setdefault(canonical, record.schema_id)
        self._subjects.setdefault(record.subject, {})[record.version] = record
        return True

    def holds(self, record: SchemaVersion) -> bool:
        """True when `record` is what the state has for its subject and version."""
        return self.at(record.subject, record.version) == record

    def at(self, subject: str, version: int) -> SchemaVersion | None:
        """What the state has for `subject` and `version`, deleted or not; None if nothing."""
        return self._subjects.get(subject, {}).get(version)

    def subjects(self, *, deleted: bool = False) -> list[str]:
        """Subjects with a live version (any version when `deleted`), sorted."""
        return [s for s in sorted(self._subjects) if self._versions(s, deleted=deleted)]

    def _versions(self, subject: str, *, deleted: bool) -> list[SchemaVersion]:
        versions = self._subjects.get(subject, {})
        return [versions[n] for n in sorted(versions) if deleted or not versions[n].deleted]

    def history(self, subject: str) -> list[SchemaVersion]:
        """Live versions of `subject`, oldest first; empty for an unknown subject."""
        return self._versions(subject, deleted=False)

    def versions(self, subject: str, *, deleted: bool = False) -> list[SchemaVersion]:
        """Versions of `subject`, oldest first; raise `SubjectNotFoundError` if none."""
        found = self._versions(subject, deleted=deleted)
        if not found:
            raise SubjectNotFoundError(subject)
        return found

    def version(
        self, subject: str, version: int | Latest, *, deleted: bool = False
    ) -> SchemaVersion:
        """One version of `subject` (`latest`: the newest live one)."""
        versions = self.versions(subject, deleted=deleted)
        if version == "latest":
            return versions[-1]
        for candidate in versions:
            if candidate.version == version:
                return candidate
        raise VersionNotFoundError(subject, version)

    def find(self, subject: str, schema: str, *, deleted: bool = False) -> SchemaVersion | None:
        """The newest version of `subject` holding `schema` (compared canonically), if any."""
        schema_id = self._canonical_ids.get(canonical_form(schema))
        matches = [v for v in self._versions(subject, deleted=deleted) if v.schema_id == schema_id]
        return matches[-1] if matches else None

    def lookup(self, subject: str, schema: str, *, deleted: bool = False) -> SchemaVersion:
        """Like `find`, raising 40401 when the subject is unknown and 40403 when the schema is."""
        self.versions(subject, deleted=deleted)
        found = self.find(subject, schema, deleted=deleted)
        if found is None:
            raise SchemaNotFoundError("Schema not found")
        return found

    def schema(self, schema_id: int) -> str:
        """The text of schema `schema_id`, as first registered."""
        try:
            return self._texts[schema_id]
        except KeyError:
            raise SchemaNotFoundError(f"Schema {schema_id} not found") from None

    def usages(self, schema_id: int, *, deleted: bool = False) -> list[SchemaVersion]:
        """Every (live) subject version holding schema `schema_id`, by subject then version."""
        self.schema(schema_id)
        return [
            v
            for subject in sorted(self._subjects)
            for v in self._versions(subject, deleted=deleted)
            if v.schema_id == schema_id
        ]

    def id_for(self, schema: str) -> int:
        """The id `schema` has, or the next free id when it has none."""
        known = self._canonical_ids.get(canonical_form(schema))
        return known if known is not None else max(self._texts, default=0) + 1

    def next_version(self, subject: str) -> int:
        """The version number a new schema under `subject` gets (deleted ones are not reused)."""
        return max(self._subjects.get(subject, {}), default=0) + 1

    def subject_level(self, subject: str) -> CompatibilityLevel:
        """The level set on `subject` itself; raise 40408 when none is."""
        try:
            return self._levels[subject]
        except KeyError:
            raise SubjectConfigNotFoundError(subject) from None

    def level(self, subject: str | None = None) -> CompatibilityLevel:
        """The level in force for `subject` (its own, else the global one, else the default)."""
        if subject is not None and subject in self._levels:
            return self._levels[subject]
        return self._levels.get(None, DEFAULT_LEVEL)
