"""The audit routes' answers as models, so the OpenAPI document describes every one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class AuditDecision(BaseModel):
    """One disclosure decision of the audit (services/audit/rows.py columns)."""

    recorded_at: str = Field(description="When the decision was made (ISO 8601, UTC).")
    child_ref: str
    subject_event_id: str
    subject_event_type: str
    recipient: str
    decision: Literal["permit", "deny"]
    fields: list[str]
    agreement_id: str | None
    legal_basis: str | None
    purpose: str | None
    override: bool
    reason: str
    policy_version: str
    partition: int = Field(description="Partition of audit.disclosures holding the record.")
    offset: int = Field(description="Offset of the record in its partition.")
    prev_hash: str
    hash: str


class DecisionPage(BaseModel):
    """One page of a search; `next_cursor` fetches the next (null on the last page)."""

    count: int
    decisions: list[AuditDecision]
    next_cursor: str | None


class LegacySearch(DecisionPage):
    """GET /v1/audit's answer: what was searched for, and the first page."""

    child_ref: str | None
    recipient: str | None


class AgreementSummary(BaseModel):
    """The newest version of the agreement a decision cites, as the consent service holds it."""

    id: str
    version: int
    title: str
    status: str
    purpose: str
    legal_basis: str


class ReviewOut(BaseModel):
    """An IG lead's review of one override."""

    review_id: str
    decided_at: str
    partition: int
    offset: int
    outcome: Literal["upheld", "escalate"]
    note: str
    reviewer: str
    reviewed_at: str


class OverrideItem(AuditDecision):
    """An override decision with its reviews (oldest first) and its agreement."""

    reviews: list[ReviewOut]
    agreement: AgreementSummary | None


class OverridePage(BaseModel):
    """One page of the override queue, oldest first."""

    count: int
    overrides: list[OverrideItem]
    next_cursor: str | None


class ChainBreakOut(BaseModel):
    """A break of the audit's hash chain that the indexer found."""

    topic: str
    partition: int
    offset: int
    problem: str
    found_at: str


class OversightSummary(BaseModel):
    """What the oversight view shows at a glance."""

    unreviewed_overrides: int
    chain_breaks: list[ChainBreakOut]
