"""Every topic of the platform, from the agency directory and the services (`topics apply`).

Pure. Dead letters are named after the topic a record came from
(`deadletter.<source>`, an ingest topic by its agency id alone: see
services/bus/deadletter.py), so each service's sources name its dead letters.
"""

from __future__ import annotations

from typing import Final

from consent.domain.agency import AgencyDirectory
from services.bus import topics
from services.governance.acls import ALERTS_WEBHOOK_DEADLETTER
from services.governance.principals import processor_app_ids

FIXED: Final = (
    topics.AUDIT_DISCLOSURES,
    topics.AUDIT_REVIEWS,
    topics.ALERTS_RAISED,
    topics.ALERTS_ACKNOWLEDGED,
    topics.CONSENT_AGREEMENTS,
    topics.CONSENT_DIRECTIVES,
    topics.IDENTITY_LINKS,
    topics.IDENTITY_MERGES,
    topics.SCHEMAS,
)
# Dead letters of sources other than the ingest topics, with who writes them.
DEAD_LETTERS: Final = (
    topics.deadletter(topics.ALERTS_RAISED),  # the router
    topics.deadletter(topics.CONSENT_DIRECTIVES),  # the router
    topics.deadletter(topics.ALERTS_ACKNOWLEDGED),  # the thresholds worker
    topics.deadletter(topics.IDENTITY_LINKS),  # the gateway
    topics.deadletter(topics.IDENTITY_MERGES),  # the router and the thresholds worker
    ALERTS_WEBHOOK_DEADLETTER,  # the alerts service's webhook relay
    topics.deadletter(topics.AUDIT_DISCLOSURES),  # the audit indexer (chain breaks)
    topics.deadletter(topics.AUDIT_REVIEWS),  # the audit indexer
)


def agency_topics(agency_id: str) -> tuple[str, ...]:
    """An agency's ingest topic, its view and the dead letters of both.

    The view's dead letters (`deadletter.view.<agency>`) are written by the
    agency's own subscriber (services/sdk/subscriber.py).
    """
    view = topics.view(agency_id)
    return (topics.ingest(agency_id), view, topics.deadletter(agency_id), topics.deadletter(view))


def platform_topics(directory: AgencyDirectory) -> tuple[str, ...]:
    """Every topic the services read or write, sorted: fixed, per agency, dead letters, state."""
    names = {
        *FIXED,
        *DEAD_LETTERS,
        *(name for agency in directory.agencies for name in agency_topics(agency.id)),
        *(topics.changelog(app_id) for app_id in processor_app_ids()),
        *(topics.handovers(app_id) for app_id in processor_app_ids()),
        *(topics.deadletter(topics.handovers(app_id)) for app_id in processor_app_ids()),
    }
    return tuple(sorted(names))
