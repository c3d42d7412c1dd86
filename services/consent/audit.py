"""Audit search for auditors, on the audit index.

The filters as the API takes them, the cursor of the next page, and the
older search by child or recipient (GET /v1/audit).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import structlog
from fastapi import Query
from pydantic import AwareDatetime

from services.audit.index import AuditIndex
from services.audit.index_cursor import DecisionKey, decode_cursor
from services.audit.index_filters import DecisionFilters
from services.audit.index_queries import MAX_PAGE_SIZE, SearchPage
from services.consent.commands import checked_child_ref
from services.consent.exceptions import InvalidRequestError

log = structlog.get_logger("joinedup.consent")

AGENCY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
AGREEMENT_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
EVENT_TYPE_PATTERN = r"^[A-Z][A-Za-z0-9]{0,99}$"


def search_filters(  # noqa: PLR0913 - one argument per filter of the search
    *,
    child_ref: Annotated[str | None, Query(max_length=200)] = None,
    recipient: Annotated[str | None, Query(pattern=AGENCY_PATTERN)] = None,
    agreement_id: Annotated[str | None, Query(pattern=AGREEMENT_PATTERN)] = None,
    subject_event_type: Annotated[str | None, Query(pattern=EVENT_TYPE_PATTERN)] = None,
    decision: Literal["permit", "deny"] | None = None,
    override: bool | None = None,
    decided_from: Annotated[
        AwareDatetime | None, Query(alias="from", description="Decided at or after (ISO 8601).")
    ] = None,
    decided_to: Annotated[
        AwareDatetime | None, Query(alias="to", description="Decided before (ISO 8601).")
    ] = None,
) -> DecisionFilters:
    """The search's filters from the query string (a FastAPI dependency); 422s name the field."""
    if child_ref is not None:
        checked_child_ref(child_ref)
    return DecisionFilters(
        child_ref=child_ref,
        recipient=recipient,
        agreement_id=agreement_id,
        subject_event_type=subject_event_type,
        decision=decision,
        override=override,
        decided_from=decided_from,
        decided_to=decided_to,
    ).checked()


def page_after(cursor: str | None) -> DecisionKey | None:
    """Where a page starts: after the cursor's key (None: at the beginning)."""
    return None if cursor is None else decode_cursor(cursor)


def log_search(what: str, filters: DecisionFilters, found: int | None = None) -> None:
    """Log that a search happened, which filters it used and its count; never their values."""
    used = sorted(name for name in DecisionFilters.__slots__ if getattr(filters, name) is not None)
    if found is None:
        log.info(what, filters=used)
    else:
        log.info(what, filters=used, decisions=found)


async def search_audit(
    index: AuditIndex, child_ref: str | None, recipient: str | None
) -> SearchPage:
    """The first page (up to MAX_PAGE_SIZE) of decisions about a child and/or to a recipient.

    At least one of child_ref and recipient is needed. A child_ref must have the
    one form of a child_ref (schemas/child_ref.py): a raw identifier or free text
    is refused before the index is read.
    """
    child_ref = (child_ref or "").strip() or None
    recipient = (recipient or "").strip() or None
    if child_ref is None and recipient is None:
        raise InvalidRequestError("child_ref", "give child_ref or recipient (or both)")
    if child_ref is not None:
        checked_child_ref(child_ref)
    filters = DecisionFilters(child_ref=child_ref, recipient=recipient)
    page = await index.search.page(filters, None, MAX_PAGE_SIZE)
    log_search("audit searched", filters, len(page.rows))
    return page


def search_answer(page: SearchPage, **echo: Any) -> dict[str, Any]:
    """The JSON answer of a search page."""
    return {
        **echo,
        "count": len(page.rows),
        "decisions": page.rows,
        "next_cursor": page.next_cursor,
    }
