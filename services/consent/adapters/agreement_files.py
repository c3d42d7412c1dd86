"""Read sharing agreements from YAML files: `agreements: [{id, title, provider, ...}]`.

A folder stands for every `*.yaml` file in it. Each agreement is validated as
a consent officer's create request; every problem becomes one line naming the
agreement (its id, or its place in the file when it has none) and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.consent.commands import CreateAgreement
from services.consent.loading import Problem


@dataclass(frozen=True, slots=True)
class AgreementFiles:
    """The agreements read from files, and what was wrong with the rest."""

    drafts: tuple[CreateAgreement, ...]
    problems: tuple[Problem, ...]


def yaml_files(path: Path) -> list[Path]:
    """The file named, or a folder's `*.yaml` files (sorted)."""
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def _field(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location) or "(agreement)"


def _entries(path: Path) -> tuple[list[Any], list[Problem]]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [], [Problem(str(path), "(file)", f"cannot be read as YAML ({exc})")]
    entries = document.get("agreements") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return [], [Problem(str(path), "agreements", "the file must hold a list `agreements`")]
    return entries, []


def _draft(path: Path, index: int, entry: Any) -> tuple[CreateAgreement | None, list[Problem]]:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        label = entry["id"]
    else:
        label = f"{path.name} agreements[{index}]"
    try:
        return CreateAgreement.model_validate(entry), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        return None, [Problem(label, _field(e["loc"]), e["msg"]) for e in errors]


def read_agreement_files(paths: Iterable[Path]) -> AgreementFiles:
    """Every agreement of the files, validated; an id listed twice is a problem."""
    drafts: list[CreateAgreement] = []
    problems: list[Problem] = []
    first_seen: dict[str, Path] = {}
    files = []
    for given in paths:
        found = yaml_files(given)
        if not found:
            problems.append(Problem(str(given), "(folder)", "holds no *.yaml file"))
        files.extend(found)
    for path in files:
        entries, unreadable = _entries(path)
        problems.extend(unreadable)
        for index, entry in enumerate(entries):
            draft, invalid = _draft(path, index, entry)
            problems.extend(invalid)
            if draft is None:
                continue
            if draft.id in first_seen:
                rule = f"listed more than once ({first_seen[draft.id]} and {path})"
                problems.append(Problem(draft.id, "id", rule))
                continue
            first_seen[draft.id] = path
            drafts.append(draft)
    return AgreementFiles(tuple(drafts), tuple(problems))
