"""Audit search for auditors: decisions by child (subject access request) or by recipient."""

from __future__ import annotations

from typing import Any

from services.audit.trail import AuditTrail
from services.consent.commands import checked_child_ref
from services.consent.exceptions import InvalidRequestError


async def search_audit(
    trail: AuditTrail, child_ref: str | None, recipient: str | None
) -> list[dict[str, Any]]:
    """Decisions matching the search; at least one of child_ref and recipient is needed.

    A child_ref must have the one form of a child_ref (schemas/child_ref.py): a
    raw identifier or free text is refused before the trail is read.
    """
    child_ref = (child_ref or "").strip() or None
    recipient = (recipient or "").strip() or None
    if child_ref is None and recipient is None:
        raise InvalidRequestError("child_ref", "give child_ref or recipient (or both)")
    if child_ref is not None:
        checked_child_ref(child_ref)
    return await trail.search(child_ref, recipient)
