"""What an audit search may filter on, and the SQL condition it becomes.

Every filter is optional and they combine with AND. Values reach the database
only as query parameters; the column names are fixed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from psycopg import sql

from schemas.child_ref import CHILD_REF_RULE, is_child_ref
from services.audit.exceptions import AuditQueryError
from services.audit.index_cursor import DecisionKey

Decision = Literal["permit", "deny"]
KEY: Final = sql.SQL("(decided_at, topic_partition, topic_offset)")
# The columns of services.audit.rows.COLUMNS, in that order, as the index holds them.
SELECTED: Final = sql.SQL(
    "decided_at, child_ref, subject_event_id, subject_event_type, recipient, decision, fields, "
    "agreement_id, legal_basis, purpose, override, reason, policy_version, topic_partition, "
    "topic_offset, prev_hash, hash"
)


@dataclass(frozen=True, slots=True)
class DecisionFilters:
    """An audit search: each field set narrows it; None leaves it open."""

    child_ref: str | None = None
    recipient: str | None = None
    agreement_id: str | None = None
    subject_event_type: str | None = None
    decision: Decision | None = None
    override: bool | None = None
    decided_from: datetime | None = None  # inclusive
    decided_to: datetime | None = None  # exclusive

    def checked(self) -> DecisionFilters:
        """These filters when they keep the rules; AuditQueryError naming the field otherwise."""
        if self.child_ref is not None and not is_child_ref(self.child_ref):
            raise AuditQueryError("child_ref", CHILD_REF_RULE)
        for name, moment in (("from", self.decided_from), ("to", self.decided_to)):
            if moment is not None and moment.tzinfo is None:
                raise AuditQueryError(name, "must carry a time zone (e.g. 2026-03-02T09:00:00Z)")
        if (
            self.decided_from is not None
            and self.decided_to is not None
            and self.decided_to <= self.decided_from
        ):
            raise AuditQueryError("to", "must be later than from")
        return self

    def matches(self, row: dict[str, Any]) -> bool:
        """Whether an audit row (services.audit.rows) passes these filters (brute force)."""
        decided_at = datetime.fromisoformat(row["recorded_at"])
        equal = (
            ("child_ref", self.child_ref),
            ("recipient", self.recipient),
            ("agreement_id", self.agreement_id),
            ("subject_event_type", self.subject_event_type),
            ("decision", self.decision),
            ("override", self.override),
        )
        return (
            all(wanted is None or row[name] == wanted for name, wanted in equal)
            and (self.decided_from is None or decided_at >= self.decided_from)
            and (self.decided_to is None or decided_at < self.decided_to)
        )


def where(
    filters: DecisionFilters, after: DecisionKey | None = None
) -> tuple[sql.Composed, list[Any]]:
    """The WHERE clause (with its parameters) of `filters`, continuing after `after`."""
    conditions: list[sql.Composable] = []
    values: list[Any] = []
    for column, wanted in (
        ("child_ref", filters.child_ref),
        ("recipient", filters.recipient),
        ("agreement_id", filters.agreement_id),
        ("subject_event_type", filters.subject_event_type),
        ("decision", filters.decision),
        ("override", filters.override),
    ):
        if wanted is not None:
            conditions.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
            values.append(wanted)
    if filters.decided_from is not None:
        conditions.append(sql.SQL("decided_at >= %s"))
        values.append(filters.decided_from)
    if filters.decided_to is not None:
        conditions.append(sql.SQL("decided_at < %s"))
        values.append(filters.decided_to)
    if after is not None:  # the plain bound lets the planner skip earlier month partitions
        conditions.append(sql.SQL("decided_at >= %s AND {} > (%s, %s, %s)").format(KEY))
        values.extend((after.decided_at, after.decided_at, after.partition, after.offset))
    if not conditions:
        return sql.Composed([]), values
    return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conditions), values
