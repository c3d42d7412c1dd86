"""Collecting every problem of a FHIR document, so the import can list them all at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NoReturn

from consent.fhir.exceptions import FhirImportError, Problem


class Problems:
    """The problems found so far, one per element path (the first found for a path is kept)."""

    def __init__(self) -> None:
        """No problem yet."""
        self._found: dict[str, str] = {}

    def add(self, path: str, rule: str) -> None:
        """Note that the element at `path` breaks `rule`."""
        self._found.setdefault(path, rule)

    def merge(self, found: Iterable[Problem], prefix: str) -> None:
        """Take problems found elsewhere, each path under `prefix` (a Bundle entry's place)."""
        for problem in found:
            self.add(f"{prefix}{problem.path}", problem.rule)

    def __iter__(self) -> Iterator[Problem]:
        """The problems, in the order found."""
        return (Problem(path, rule) for path, rule in self._found.items())

    def __bool__(self) -> bool:
        """Whether any problem was found."""
        return bool(self._found)

    def refuse(self, path: str, rule: str) -> NoReturn:
        """Note a problem that stops the reading, and raise every problem found."""
        self.add(path, rule)
        raise FhirImportError(list(self))

    def raise_any(self) -> None:
        """Raise FhirImportError listing every problem, when there is one."""
        if self._found:
            raise FhirImportError(list(self))
