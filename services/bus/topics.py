"""Topic names: the one place they are spelled.

Every topic is keyed by `child_ref` (DESIGN.md decision 1) except the
compacted consent topics (keyed by agreement id / directive id) and `_schemas`.
"""

from __future__ import annotations

import re

AUDIT_DISCLOSURES = "audit.disclosures"
ALERTS_RAISED = "alerts.raised"
ALERTS_ACKNOWLEDGED = "alerts.acknowledged"
CONSENT_AGREEMENTS = "consent.agreements"
CONSENT_DIRECTIVES = "consent.directives"
IDENTITY_LINKS = "identity.links"
SCHEMAS = "_schemas"

COMPACTED = frozenset({CONSENT_AGREEMENTS, CONSENT_DIRECTIVES, IDENTITY_LINKS, SCHEMAS})
KEPT_FOREVER = frozenset({AUDIT_DISCLOSURES})
CHANGELOG_SUFFIX = "-children"

INGEST_PATTERN = r"^ingest\..+"

_AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def check_agency_id(agency: str) -> str:
    """Return `agency` if it is a valid agency id (lower-case letters, digits, hyphens)."""
    if not _AGENCY_ID.fullmatch(agency):
        msg = f"agency id {agency!r} must be 2-63 lower-case letters, digits or hyphens"
        raise ValueError(msg)
    return agency


def ingest(agency: str) -> str:
    """Topic an agency publishes to (ACLs let only that agency write it)."""
    return f"ingest.{check_agency_id(agency)}"


def view(agency: str) -> str:
    """Topic holding what an agency may see, redacted (ACLs let only that agency read it)."""
    return f"view.{check_agency_id(agency)}"


def changelog(app_id: str) -> str:
    """A stream processor's per-child state changelog (compacted: one value per child)."""
    return f"{app_id}{CHANGELOG_SUFFIX}"


def topic_config(name: str) -> dict[str, str]:
    """Broker settings a topic is created with (and kept at).

    Compacted topics keep the latest value per key for ever (consent rules,
    identity links, state changelogs: a worker restored after months must see
    a roll membership from September). The audit trail is never expired.
    """
    if name in COMPACTED or name.endswith(CHANGELOG_SUFFIX):
        return {"cleanup.policy": "compact"}
    if name in KEPT_FOREVER:
        return {"retention.ms": "-1", "retention.bytes": "-1"}
    return {}


def deadletter(source: str) -> str:
    """Topic for what could not be processed from `source`, with the reason in headers."""
    return f"deadletter.{source}"
