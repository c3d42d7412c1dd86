"""The router's output records written to bytes, the runs they share written once per event.

The views of one event share their envelope and, per field set, their
disclosed fields; its audit records share the event's facts and the policy
version (schemas/field_runs.py). The bytes are exactly `codec.encode` of each
record (tests/unit/router/test_output_records.py); audit records are sealed
into the partition's hash chain as they are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from schemas.codec import AvroCodec
from schemas.layout import ENVELOPE
from services.audit.chain import seal_encoded

VIEW_RUNS: Final = (
    ENVELOPE,
    (
        "recipient",
        "agreement_id",
        "agreement_version",
        "legal_basis",
        "purpose",
        "consent_override",
        "decided_at",
    ),
    ("fields",),
)
AUDIT_RUNS: Final = (
    ENVELOPE[:1],  # the decision's own id
    (*ENVELOPE[1:], "subject_event_id", "subject_event_type"),  # the same for every decision
    (
        "decision",
        "recipient",
        "fields",
        "agreement_id",
        "legal_basis",
        "purpose",
        "override",
        "reason",
    ),
    ("policy_version",),
    ("prev_hash", "hash"),
)


class OutputRecords:
    """Writes one event's DisclosedEvent views and sealed DisclosureDecided records."""

    def __init__(self, codec: AvroCodec) -> None:
        """Compile the runs with `codec`'s current schemas."""
        self._view = codec.field_runs("DisclosedEvent", VIEW_RUNS)
        self._audit = codec.field_runs("DisclosureDecided", AUDIT_RUNS)

    def views(self, views: Sequence[tuple[str, dict[str, Any]]]) -> list[tuple[str, bytes]]:
        """(recipient, bytes) of each view of one event."""
        if not views:
            return []
        envelope, decision, fields = self._view.writers
        head = self._view.prefix + envelope(views[0][1])
        written: dict[str, bytes] = {}
        out = []
        for recipient, view in views:
            disclosed = written.get(view["fields"])
            if disclosed is None:
                disclosed = written[view["fields"]] = fields(view)
            out.append((recipient, head + decision(view) + disclosed))
        return out

    def audits(self, audits: Sequence[dict[str, Any]], prev_hash: str) -> tuple[list[bytes], str]:
        """The sealed bytes of one event's decisions chained from `prev_hash`; the new tail."""
        if not audits:
            return [], prev_hash
        own_id, facts, decision, policy, chain = self._audit.writers
        shared_facts, shared_policy = facts(audits[0]), policy(audits[0])
        sealed = []
        for audit in audits:
            audit["prev_hash"], audit["hash"] = prev_hash, ""
            raw = b"".join(
                (
                    self._audit.prefix,
                    own_id(audit),
                    shared_facts,
                    decision(audit),
                    shared_policy,
                    chain(audit),
                )
            )
            record, prev_hash = seal_encoded(raw)
            sealed.append(record)
        return sealed, prev_hash
