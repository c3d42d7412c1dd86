"""The topics the consent service reads and writes (constructor parameters, for tests)."""

from __future__ import annotations

from dataclasses import dataclass

from services.bus import topics


@dataclass(frozen=True)
class ConsentTopics:
    """Topic names; the defaults are services/bus/topics.py."""

    agreements: str = topics.CONSENT_AGREEMENTS
    directives: str = topics.CONSENT_DIRECTIVES
    audit: str = topics.AUDIT_DISCLOSURES
    reviews: str = topics.AUDIT_REVIEWS
    merges: str = topics.IDENTITY_MERGES
