"""BACKWARD_TRANSITIVE compatibility of every schema against its committed history.

A schema change is backward compatible when a reader using the new schema can
read data written with an old one; transitive: with every earlier version,
not only the last. Earlier versions come from git (`git log --follow`), the
check from the Apache `avro` package's reader/writer compatibility checker.
`--follow` guesses renames by similarity, and schemas sharing the envelope look
alike: a new event type's file may be taken for a moved older one. A version
counts as the schema's only when it names the same record (namespace and name:
the subject, under RecordNameStrategy).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import avro.errors
import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from schemas.catalogue import Catalogue
from schemas.exceptions import ContractError, SchemaFileError


@dataclass(frozen=True, slots=True)
class SchemaVersion:
    """One committed version of a schema file."""

    commit: str
    text: str


@dataclass(frozen=True, slots=True)
class CompatibilityProblem:
    """The current schema of a subject cannot read data written with an earlier version."""

    subject: str
    path: str
    commit: str
    messages: tuple[str, ...]

    def __str__(self) -> str:
        """One clear line per problem: subject, version and what breaks."""
        return (
            f"{self.subject} ({self.path}): cannot read data written with the version at "
            f"commit {self.commit[:12]}: {'; '.join(self.messages)}"
        )


@dataclass(frozen=True, slots=True)
class CompatibilityReport:
    """Result of checking every schema of a catalogue against its history."""

    schemas_checked: int
    versions_checked: int
    problems: list[CompatibilityProblem] = field(default_factory=list)

    @property
    def compatible(self) -> bool:
        """True when no schema breaks BACKWARD_TRANSITIVE compatibility."""
        return not self.problems


def _parse(text: str, what: str) -> avro.schema.Schema:
    try:
        return avro.schema.parse(text)
    except (avro.errors.SchemaParseException, ValueError) as exc:
        raise SchemaFileError(f"{what}: not a valid Avro schema ({exc})") from exc


def incompatibilities(reader_text: str, writer_text: str) -> tuple[str, ...]:
    """Why `reader_text` cannot read data written with `writer_text` (empty when it can)."""
    reader = _parse(reader_text, "new schema")
    writer = _parse(writer_text, "earlier schema")
    # The avro package's checker has no annotations on its constructor.
    checker = ReaderWriterCompatibilityChecker()  # type: ignore[no-untyped-call]
    result = checker.get_compatibility(reader, writer)
    if result.compatibility is SchemaCompatibilityType.compatible:
        return ()
    kinds = ", ".join(sorted({kind.value.replace("_", " ") for kind in result.incompatibilities}))
    details = ", ".join(sorted(result.messages))
    locations = ", ".join(sorted(result.locations))
    return (f"{kinds}: {details} (at {locations})",)


def check_backward_transitive(
    subject: str, path: str, current: str, earlier: Iterable[SchemaVersion]
) -> list[CompatibilityProblem]:
    """Problems of `current` against every earlier version of the subject."""
    problems = []
    for version in earlier:
        messages = incompatibilities(current, version.text)
        if messages:
            problems.append(CompatibilityProblem(subject, path, version.commit, messages))
    return problems


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise ContractError("git is needed to read earlier schema versions, and is not on PATH")
    return subprocess.run(  # noqa: S603 - fixed git arguments, no shell
        [git, "-C", str(repo), *args], capture_output=True, text=True, check=False
    )


def repository_root(start: Path) -> Path | None:
    """The git work tree holding `start`, or None outside a repository."""
    done = _git(start, "rev-parse", "--show-toplevel")
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def committed_versions(repo: Path, path: Path) -> list[SchemaVersion]:
    """Every committed version of `path` (following renames), newest first."""
    relative = path.resolve().relative_to(repo.resolve()).as_posix()
    log = _git(repo, "log", "--follow", "--format=commit %H", "--name-only", "--", relative)
    if log.returncode != 0:
        return []
    versions: list[SchemaVersion] = []
    commit = ""
    for line in log.stdout.splitlines():
        if line.startswith("commit "):
            commit = line.removeprefix("commit ")
        elif line.strip() and commit:
            shown = _git(repo, "show", f"{commit}:{line.strip()}")
            if shown.returncode == 0:
                versions.append(SchemaVersion(commit, shown.stdout))
    return versions


def _full_name(text: str) -> str | None:
    """The record's full name (namespace.name) a schema text declares; None if unreadable."""
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    name = str(document.get("name", ""))
    namespace = document.get("namespace")
    return name if "." in name or not namespace else f"{namespace}.{name}"


def check_catalogue(catalogue: Catalogue, repo: Path | None) -> CompatibilityReport:
    """Check every schema of `catalogue` against its committed versions in `repo`."""
    problems: list[CompatibilityProblem] = []
    versions_checked = 0
    for event_type in catalogue.event_types:
        entry = catalogue.entry(event_type)
        current = entry.path.read_text(encoding="utf-8")
        _parse(current, f"{entry.domain}/{entry.path.name}")
        committed = committed_versions(repo, entry.path) if repo is not None else []
        earlier = [v for v in committed if _full_name(v.text) == _full_name(current)]
        versions_checked += len(earlier)
        where = f"{entry.domain}/{entry.path.name}"
        problems.extend(check_backward_transitive(entry.subject, where, current, earlier))
    return CompatibilityReport(len(catalogue.event_types), versions_checked, problems)
