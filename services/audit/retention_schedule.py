"""The audit index's retention schedule: how many years each record class is kept.

Read from `audit-retention.yaml` (services/config: the deployment's copy, else
the packaged default, which cites its sources). Pure: a file in, the rules and
each class's cutoff out. A bad file is refused naming the field and the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal, LiteralString, get_args

import yaml

from services.audit.exceptions import RetentionScheduleError

RecordClass = Literal["permit", "override", "deny"]
RECORD_CLASSES: Final[tuple[RecordClass, ...]] = get_args(RecordClass)
# Which audit_decision rows each class holds (overrides are permits, kept as their own class).
CLASS_PREDICATES: Final[Mapping[RecordClass, LiteralString]] = {
    "permit": "decision = 'permit' AND NOT override",
    "override": "override",
    "deny": "decision = 'deny'",
}


@dataclass(frozen=True)
class RetentionRule:
    """How long one record class is kept, and where that period comes from."""

    record_class: RecordClass
    keep_years: int
    source: str

    def cutoff(self, now: datetime) -> datetime:
        """The moment before which this class's records are removed: `keep_years` before `now`."""
        now = now.astimezone(UTC)
        year = now.year - self.keep_years
        try:
            return now.replace(year=year)
        except ValueError:  # 29 February in a year that has none
            return now.replace(year=year, day=28)


def _rule(name: RecordClass, entry: Any, where: Path) -> RetentionRule:
    field = f"{where}: record_classes.{name}"
    if not isinstance(entry, Mapping):
        raise RetentionScheduleError(f"{field} must be a mapping with keep_years and source")
    years, source = entry.get("keep_years"), entry.get("source")
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise RetentionScheduleError(f"{field}.keep_years must be a whole number of years >= 1")
    if not isinstance(source, str) or not source.strip():
        raise RetentionScheduleError(f"{field}.source must name where the period comes from")
    unknown = sorted(set(entry) - {"keep_years", "source"})
    if unknown:
        raise RetentionScheduleError(f"{field} has unknown keys {unknown}")
    return RetentionRule(name, years, " ".join(source.split()))


def load_schedule(path: Path) -> dict[RecordClass, RetentionRule]:
    """The rules of the schedule file at `path`, one per record class (all of them required)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        msg = f"{path}: cannot read the retention schedule ({exc})"
        raise RetentionScheduleError(msg) from None
    classes = document.get("record_classes") if isinstance(document, Mapping) else None
    if not isinstance(classes, Mapping):
        raise RetentionScheduleError(f"{path}: record_classes must be a mapping of record classes")
    unknown = sorted(set(classes) - set(RECORD_CLASSES))
    missing = sorted(set(RECORD_CLASSES) - set(classes))
    if unknown or missing:
        raise RetentionScheduleError(
            f"{path}: record_classes must name exactly {list(RECORD_CLASSES)} "
            f"(unknown: {unknown}, missing: {missing})"
        )
    return {name: _rule(name, classes[name], path) for name in RECORD_CLASSES}
