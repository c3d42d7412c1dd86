"""Topic names: the one place they are spelled.

Every topic is keyed by `child_ref` (DESIGN.md decision 1) except the
compacted consent topics (keyed by agreement id / directive id) and `_schemas`.
"""

from __future__ import annotations

import re

from services.bus.settings import BusSettings
from services.bus.topic_policy import TopicSpec, topic_policy

AUDIT_DISCLOSURES = "audit.disclosures"
AUDIT_REVIEWS = "audit.reviews"  # reviews of safeguarding overrides (OverrideReviewed)
ALERTS_RAISED = "alerts.raised"
ALERTS_ACKNOWLEDGED = "alerts.acknowledged"
CONSENT_AGREEMENTS = "consent.agreements"
CONSENT_DIRECTIVES = "consent.directives"
IDENTITY_LINKS = "identity.links"
IDENTITY_MERGES = "identity.merges"
SCHEMAS = "_schemas"

CHANGELOG_SUFFIX = "-children"
HANDOVER_SUFFIX = "-handovers"
INGEST_PREFIX = "ingest."
VIEW_PREFIX = "view."
CONSENT_PREFIX = "consent."
DEADLETTER_PREFIX = "deadletter."

INGEST_PATTERN = r"^ingest\..+"

_AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def check_agency_id(agency: str) -> str:
    """Return `agency` if it is a valid agency id (lower-case letters, digits, hyphens)."""
    if not _AGENCY_ID.fullmatch(agency):
        msg = f"agency id {agency!r} must be 2-63 lower-case letters, digits or hyphens"
        raise ValueError(msg)
    return agency


def ingest(agency: str) -> str:
    """Topic of what an agency publishes (ACLs let only the gateway write it, on its behalf)."""
    return f"{INGEST_PREFIX}{check_agency_id(agency)}"


def view(agency: str) -> str:
    """What an agency may see, redacted (of all agencies, ACLs let only this one read it)."""
    return f"{VIEW_PREFIX}{check_agency_id(agency)}"


def changelog(app_id: str) -> str:
    """A stream processor's per-child state changelog (compacted: one value per child)."""
    return f"{app_id}{CHANGELOG_SUFFIX}"


def handovers(app_id: str) -> str:
    """A stream processor's own hand-over topic: merged children's state and forwarded records.

    Keyed by the surviving child_ref and partitioned like the sources, so the
    worker owning the survivor reads what the absorbed child's worker hands over
    (docs/identity.md).
    """
    return f"{app_id}{HANDOVER_SUFFIX}"


def topic_config(name: str, settings: BusSettings | None = None) -> dict[str, str]:
    """Kafka configs a topic is created with and kept at: its family's in the topic policy.

    The policy (services/bus/topic_policy.py) is the packaged one, or the
    operator's JOINEDUP_TOPIC_POLICY_FILE when `settings` name one. Compacted
    topics keep the latest value per key for ever (consent rules, identity
    links, state changelogs: a worker restored after months must see a roll
    membership from September). The audit trail is never expired.
    """
    return topic_policy(settings).config(name)


def topic_spec(name: str, settings: BusSettings) -> TopicSpec:
    """Partitions, replicas and configs of a topic on the settings' cluster (the policy's)."""
    return topic_policy(settings).spec(name, settings)


def deadletter(source: str) -> str:
    """Topic for what could not be processed from `source`, with the reason in headers."""
    return f"{DEADLETTER_PREFIX}{source}"
