"""Which event types an agency system may publish to `ingest.<agency>`."""

from __future__ import annotations

from typing import Final

from schemas.catalogue import Catalogue

# Agencies publish facts about children; alerts, disclosure decisions, consent
# and identity records are written by the bus's own services only.
PUBLISHABLE_DOMAINS: Final = frozenset({"education", "socialcare", "police", "health", "common"})


def publishable_event_types(catalogue: Catalogue | None = None) -> frozenset[str]:
    """Event types an agency system may publish."""
    catalogue = catalogue or Catalogue.load()
    return frozenset(t for t in catalogue.event_types if catalogue.domain(t) in PUBLISHABLE_DOMAINS)
