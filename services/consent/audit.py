"""Audit search for auditors: decisions by child (subject access request) or by recipient."""

from __future__ import annotations

from typing import Any

from services.audit.trail import AuditTrail
from services.consent.exceptions import InvalidRequestError


async def search_audit(
    trail: AuditTrail, child_ref: str | None, recipient: str | None
) -> list[dict[str, Any]]:
    """Decisions matching the search; at least one of child_ref and recipient is needed."""
    child_ref = (child_ref or "").strip() or None
    recipient = (recipient or "").strip() or None
    if child_ref is None and recipient is None:
        raise InvalidRequestError("child_ref", "give child_ref or recipient (or both)")
    return await trail.search(child_ref, recipient)
