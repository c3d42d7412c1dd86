"""Counts of responses by status code, per API and operation, and the problems found.

A run's counts are printed (pytest -s shows them) and merged into
test-artifacts/fuzz-counts.json under the name of the part that made them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
COUNTS_FILE = ARTIFACTS / "fuzz-counts.json"
SAMPLES_PER_KIND = 2  # reproducers kept per (API, operation, problem, status, case)
REPRODUCER_CHARS = 1500


@dataclass(frozen=True)
class Finding:
    """A response that breaks the rules: a 5xx, no answer, or one unlike its documentation."""

    api: str
    operation: str
    problem: str
    status: int | None
    reproducer: str

    def line(self) -> str:
        """One line naming it, then its reproducer."""
        return (
            f"[{self.api}] {self.operation}: {self.problem} (status {self.status})\n"
            f"    {self.reproducer}"
        )


class Tally:
    """Responses counted by status code; findings kept, a few reproducers per kind."""

    def __init__(self) -> None:
        self.by_api: dict[str, Counter[int]] = defaultdict(Counter)
        self.by_operation: dict[str, dict[str, Counter[int]]] = defaultdict(
            lambda: defaultdict(Counter)
        )
        self.findings: list[Finding] = []
        self.finding_counts: Counter[tuple[str, ...]] = Counter()
        self.finding_keys: list[tuple[str, ...]] = []
        self.notes: dict[str, list[str]] = defaultdict(list)

    def count(self, api: str, operation: str, status: int) -> None:
        """Count one response."""
        self.by_api[api][status] += 1
        self.by_operation[api][operation][status] += 1

    def find(self, finding: Finding, case: str = "") -> None:
        """Record a finding; only the first few reproducers of each kind of case are kept."""
        key = (finding.api, finding.operation, finding.problem, str(finding.status), case)
        self.finding_counts[key] += 1
        if self.finding_counts[key] <= SAMPLES_PER_KIND:
            reproducer = finding.reproducer
            if len(reproducer) > REPRODUCER_CHARS:
                reproducer = f"{reproducer[:REPRODUCER_CHARS]}... ({len(reproducer)} chars)"
            self.findings.append(
                Finding(finding.api, finding.operation, finding.problem, finding.status, reproducer)
            )
            self.finding_keys.append(key)

    def note(self, api: str, text: str) -> None:
        """Remember something about an API that is no failure (an undocumented error...)."""
        if text not in self.notes[api]:
            self.notes[api].append(text)

    @property
    def total(self) -> int:
        """Responses counted across every API."""
        return sum(sum(counts.values()) for counts in self.by_api.values())

    def total_of(self, api: str) -> int:
        """Responses counted for one API."""
        return sum(self.by_api[api].values())

    def server_errors(self) -> dict[str, int]:
        """5xx answers by API (APIs with none left out)."""
        found = {
            api: sum(n for status, n in counts.items() if status >= 500)
            for api, counts in self.by_api.items()
        }
        return {api: n for api, n in found.items() if n}

    def undocumented(self, documented: dict[str, dict[str, set[int]]]) -> dict[str, list[str]]:
        """Per API, each operation with the statuses it answered that its document lacks."""
        missing: dict[str, list[str]] = {}
        for api, operations in self.by_operation.items():
            for operation, counts in sorted(operations.items()):
                declared = documented.get(api, {}).get(operation)
                if declared is None:
                    continue
                extra = sorted(status for status in counts if status not in declared)
                if extra:
                    missing.setdefault(api, []).append(f"{operation}: {extra}")
        return missing

    def as_json(self) -> dict[str, Any]:
        """Everything counted, as JSON."""
        return {
            "total": self.total,
            "by_api": {
                api: dict(sorted((str(s), n) for s, n in counts.items()))
                for api, counts in sorted(self.by_api.items())
            },
            "by_operation": {
                api: {
                    operation: dict(sorted((str(s), n) for s, n in counts.items()))
                    for operation, counts in sorted(operations.items())
                }
                for api, operations in sorted(self.by_operation.items())
            },
            "server_errors": self.server_errors(),
            "findings": [
                asdict(f) | {"case": key[-1], "occurrences": self.finding_counts[key]}
                for f, key in zip(self.findings, self.finding_keys, strict=True)
            ],
            "notes": dict(self.notes),
        }

    def table(self, title: str) -> str:
        """The counts by status code per API, as text."""
        statuses = sorted({status for counts in self.by_api.values() for status in counts})
        head = f"{'api':10}" + "".join(f"{status:>7}" for status in statuses) + f"{'total':>8}"
        rows = [
            f"{api:10}"
            + "".join(f"{counts.get(status, 0):>7}" for status in statuses)
            + f"{sum(counts.values()):>8}"
            for api, counts in sorted(self.by_api.items())
        ]
        return "\n".join([f"{title}: {self.total} responses", head, *rows])

    def report(self) -> str:
        """The findings, one paragraph each (empty when none)."""
        return "\n".join(
            f"{finding.line()}\n    ({self.finding_counts[key]} such responses)"
            for finding, key in zip(self.findings, self.finding_keys, strict=True)
        )


def show(text: str) -> None:
    """Print counts for the run's log (pytest -s shows them)."""
    print(text)  # noqa: T201 - the counts of the run, for the issue


def write_counts(part: str, data: dict[str, Any]) -> Path:
    """Merge one part's counts into test-artifacts/fuzz-counts.json."""
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        document = json.loads(COUNTS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        document = {}
    document[part] = {"written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **data}
    COUNTS_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return COUNTS_FILE
