"""A subject access report: every disclosure decision about one child, and a summary.

Built from the audit index's rows about the child, in time order: to whom,
when, permit or deny, under which agreement, for which purpose and on which
legal basis, which fields, and whether a safeguarding basis overrode a
withdrawn consent. It names the child only by child_ref (never a raw
identifier), and refuses to include a row about any other child.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

from consent.domain.agency import AgencyDirectory
from consent.domain.codes import PolicyCodes
from services.audit.rows import csv_cell
from services.audit.timeline import TimelineMark, timeline
from services.consent.exceptions import ForeignRowError

CSV_COLUMNS: Final = (
    "decided_at",
    "recipient",
    "recipient_name",
    "decision",
    "subject_event_type",
    "subject_event_id",
    "agreement_id",
    "purpose",
    "legal_basis",
    "fields",
    "override",
    "reason",
)


class ReportDecision(BaseModel):
    """One decision about the child, as the report shows it."""

    model_config = ConfigDict(frozen=True)

    decided_at: datetime
    recipient: str
    recipient_name: str
    decision: Literal["permit", "deny"]
    subject_event_type: str
    subject_event_id: str
    agreement_id: str | None
    purpose: str | None
    purpose_label: str | None
    legal_basis: str | None
    legal_basis_label: str | None
    fields: list[str]
    override: bool
    reason: str


class RecipientSummary(BaseModel):
    """What one recipient was decided on, counted."""

    model_config = ConfigDict(frozen=True)

    recipient: str
    recipient_name: str
    permits: int
    denies: int
    overrides: int
    first: datetime
    last: datetime


class SubjectAccessReport(BaseModel):
    """The whole report: the child's pseudonymous reference, the summary, every decision."""

    model_config = ConfigDict(frozen=True)

    child_ref: str
    produced_at: datetime
    decisions_total: int
    permits: int
    denies: int
    overrides: int
    first: datetime | None
    last: datetime | None
    recipients: list[RecipientSummary]
    decisions: list[ReportDecision]


def _decision(
    row: dict[str, Any], directory: AgencyDirectory, codes: PolicyCodes
) -> ReportDecision:
    agency = directory.get(row["recipient"])
    purpose = codes.purposes.get(row["purpose"] or "")
    basis = codes.legal_bases.get(row["legal_basis"] or "")
    return ReportDecision(
        decided_at=datetime.fromisoformat(row["recorded_at"]),
        recipient=row["recipient"],
        recipient_name=agency.name if agency else row["recipient"],
        decision=row["decision"],
        subject_event_type=row["subject_event_type"],
        subject_event_id=str(row["subject_event_id"]),
        agreement_id=row["agreement_id"],
        purpose=row["purpose"],
        purpose_label=purpose.label if purpose else None,
        legal_basis=row["legal_basis"],
        legal_basis_label=basis.label if basis else None,
        fields=list(row["fields"] or []),
        override=bool(row["override"]),
        reason=row["reason"],
    )


def _summaries(decisions: Sequence[ReportDecision]) -> list[RecipientSummary]:
    grouped: dict[str, list[ReportDecision]] = {}
    for decision in decisions:
        grouped.setdefault(decision.recipient, []).append(decision)
    return [
        RecipientSummary(
            recipient=recipient,
            recipient_name=held[0].recipient_name,
            permits=sum(d.decision == "permit" for d in held),
            denies=sum(d.decision == "deny" for d in held),
            overrides=sum(d.override for d in held),
            first=held[0].decided_at,
            last=held[-1].decided_at,
        )
        for recipient, held in sorted(grouped.items())
    ]


def subject_access_report(
    child_ref: str,
    rows: Sequence[dict[str, Any]],
    directory: AgencyDirectory,
    codes: PolicyCodes,
    produced_at: datetime,
) -> SubjectAccessReport:
    """The report of `child_ref` from its rows (oldest first); ForeignRowError on another's."""
    if any(row["child_ref"] != child_ref for row in rows):
        raise ForeignRowError("a row about another child reached a subject access report")
    decisions = [_decision(row, directory, codes) for row in rows]
    return SubjectAccessReport(
        child_ref=child_ref,
        produced_at=produced_at,
        decisions_total=len(decisions),
        permits=sum(d.decision == "permit" for d in decisions),
        denies=sum(d.decision == "deny" for d in decisions),
        overrides=sum(d.override for d in decisions),
        first=decisions[0].decided_at if decisions else None,
        last=decisions[-1].decided_at if decisions else None,
        recipients=_summaries(decisions),
        decisions=decisions,
    )


def report_csv(report: SubjectAccessReport) -> str:
    """The report's decisions as CSV, one header line first; no cell is a formula."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for decision in report.decisions:
        cells = decision.model_dump(mode="json")
        cells["fields"] = json.dumps(decision.fields)
        writer.writerow({name: csv_cell(cells[name]) for name in CSV_COLUMNS})
    return out.getvalue()


def report_timeline(report: SubjectAccessReport) -> str:
    """The report's timeline picture (SVG): a lane per recipient, a mark per decision."""
    marks = [
        TimelineMark(
            lane=d.recipient_name,
            at=d.decided_at,
            decision=d.decision,
            override=d.override,
            tooltip=f"{d.decided_at:%d %b %Y %H:%M} {d.decision} {d.subject_event_type}",
        )
        for d in report.decisions
    ]
    return timeline("Disclosure decisions over time, by recipient", marks)
