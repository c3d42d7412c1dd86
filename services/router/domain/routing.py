"""One event in, one decision per candidate recipient out: views and audit records.

Pure: the Faust agent decodes, calls `route`, then writes what it returns.
Every decision, permit and deny, yields one DisclosureDecided record; every
permit yields one DisclosedEvent for the recipient's view carrying only the
permitted fields. The pseudonymous child_ref stays in the view's envelope
(it is the partition key and what a recipient's idempotent consumer and the
alerts' evidence join on); raw identifiers never reach this stage.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Protocol

from consent.domain.agency import Agency
from consent.domain.child import ChildState
from consent.domain.disclosure import DENY_REASON_TEXT, Deny, Permit
from consent.domain.event import EventFacts
from schemas.envelope import ENVELOPE_NAME_SET, envelope, published_by

ROUTER_SOURCE: Final = published_by("joinedup-router", "router")
_DECISION_IDS: Final = uuid.UUID("6f1c2a8e-5b0d-4c7e-9a11-3d2f4e5a6b7c")
_DECISION_NAMESPACE: Final = _DECISION_IDS.bytes


class Decide(Protocol):
    """The disclosure decision (consent.decision.decide_disclosure bound to a policy)."""

    def __call__(
        self, facts: EventFacts, recipient: Agency, state: ChildState, at: datetime, /
    ) -> Permit | Deny:
        """Decide what `recipient` may see of the event."""
        ...


@dataclass(slots=True)
class Routed:
    """What routing one event produced."""

    views: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    audits: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[tuple[str, str, str]] = field(default_factory=list)  # recipient, decision, code


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    msg = f"cannot put a {type(value).__name__} into a view"
    raise TypeError(msg)


def millis(moment: datetime) -> int:
    """A timestamp as Avro's timestamp-millis stores it (and the audit hash reads it)."""
    return int(moment.timestamp() * 1000)


def decision_id(publisher: str, subject_event_id: object, recipient: str) -> str:
    """The decision's stable id: uuid5 of the publishing agency, event id and recipient.

    The same event decided again for the same recipient gets the same id, so a
    replayed decision shows in the audit. An event id is its publisher's own:
    another agency's event with the same id is another event, and its decision
    another decision (before the publisher was part of the name, such a
    decision took the first one's id and counted as its replay). Computed
    directly (not uuid.uuid5) on the hot path; equal to
    `str(uuid.uuid5(_DECISION_IDS, f"{publisher}/{event id}/{recipient}"))`.
    """
    digest = bytearray(
        hashlib.sha1(  # noqa: S324 - RFC 4122 name-based ids are SHA-1 by definition
            _DECISION_NAMESPACE + f"{publisher}/{subject_event_id}/{recipient}".encode()
        ).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def disclosed_fields(event: Mapping[str, Any], permit: Permit) -> str:
    """The permitted non-envelope fields of `event` as a JSON object."""
    chosen = {
        name: event[name] for name in sorted(permit.fields - ENVELOPE_NAME_SET) if name in event
    }
    return json.dumps(chosen, default=_json_value, separators=(",", ":"))


def view_record(
    event: Mapping[str, Any],
    recipient: str,
    permit: Permit,
    decided_at: datetime,
    fields: str | None = None,
) -> dict[str, Any]:
    """The DisclosedEvent a recipient's view receives (`fields`: the JSON, if made already).

    Its envelope is the event's own. Fields are set one by one on the envelope's
    dict: one dict per view, as fast as a literal.
    """
    view = envelope(
        event["event_type"],
        event_id=event["event_id"],
        occurred_at=event["occurred_at"],
        recorded_at=event["recorded_at"],
        source=event["source"],
        child_ref=event["child_ref"],
        correlation_id=event["correlation_id"],
    )
    view["recipient"] = recipient
    view["agreement_id"] = permit.agreement_id
    view["agreement_version"] = permit.agreement_version
    view["legal_basis"] = permit.legal_basis
    view["purpose"] = permit.purpose
    view["consent_override"] = permit.override
    view["decided_at"] = decided_at
    view["fields"] = disclosed_fields(event, permit) if fields is None else fields
    return view


def _reason(decision: Permit | Deny) -> str:
    if isinstance(decision, Deny):
        return f"{decision.reason}: {decision.detail or DENY_REASON_TEXT[decision.reason]}"
    if decision.override:
        return (
            f"permitted under {decision.agreement_id} v{decision.agreement_version}; "
            f"consent directive {decision.overridden_directive_id} overridden on a "
            "safeguarding basis"
        )
    return f"permitted under {decision.agreement_id} v{decision.agreement_version}"


def reason_code(decision: Permit | Deny) -> str:
    """The decision's reason as a short code (a metric label): a deny's reason, or how permitted."""
    if isinstance(decision, Deny):
        return decision.reason
    return "safeguarding-override" if decision.override else "agreement"


def audit_record(
    event: Mapping[str, Any],
    recipient: str,
    decision: Permit | Deny,
    decided_at: datetime,
    policy_version: str,
) -> dict[str, Any]:
    """The DisclosureDecided record of one decision (sealed into the chain by the caller).

    Ids and times are given as the wire stores them (strings, epoch millis),
    which is also what the chain's hash reads: nothing to convert twice. Fields
    are set one by one on the envelope's dict, as in `view_record`.
    """
    permit = decision if isinstance(decision, Permit) else None
    at = millis(decided_at)
    subject = str(event["event_id"])
    audit = envelope(
        "DisclosureDecided",
        event_id=decision_id(event["source"]["agency"], subject, recipient),
        occurred_at=at,
        recorded_at=at,
        source=ROUTER_SOURCE,
        child_ref=event["child_ref"],
        correlation_id=subject,
    )
    audit["subject_event_id"] = subject
    audit["subject_event_type"] = event["event_type"]
    audit["decision"] = decision.decision
    audit["recipient"] = recipient
    audit["fields"] = sorted(permit.fields) if permit else []
    audit["agreement_id"] = decision.agreement_id
    audit["legal_basis"] = permit.legal_basis if permit else None
    audit["purpose"] = permit.purpose if permit else None
    audit["override"] = permit.override if permit else False
    audit["reason"] = _reason(decision)
    audit["policy_version"] = policy_version
    audit["prev_hash"] = ""
    audit["hash"] = ""
    return audit


def route(  # noqa: PLR0913 - the decision's inputs, each needed
    event: Mapping[str, Any],
    *,
    facts: EventFacts,
    recipients: Sequence[Agency],
    state: ChildState,
    decide: Decide,
    decided_at: datetime,
    policy_version: str,
) -> Routed:
    """Decide for every candidate recipient; the provider itself is never a recipient."""
    routed = Routed()
    field_json: dict[frozenset[str], str] = {}  # one JSON per distinct permitted field set
    for recipient in recipients:
        if recipient.id == facts.provider:
            continue
        decision = decide(facts, recipient, state, decided_at)
        routed.audits.append(
            audit_record(event, recipient.id, decision, decided_at, policy_version)
        )
        routed.outcomes.append((recipient.id, decision.decision, reason_code(decision)))
        if isinstance(decision, Permit):
            fields = field_json.get(decision.fields)
            if fields is None:
                fields = field_json[decision.fields] = disclosed_fields(event, decision)
            routed.views.append(
                (recipient.id, view_record(event, recipient.id, decision, decided_at, fields))
            )
    return routed
