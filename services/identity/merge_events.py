"""Identity stewards' decisions as events on identity.merges, and back into a MergeLedger.

ChildRefsMerged and ChildRefsUnmerged (schemas/avro/identity) carry the same
fields: the merge id, both child_refs, the steward, the reason and when it was
decided. Both are keyed by the ABSORBED child_ref, so a merge and its unmerge
share a partition (in order) with the absorbed child's events. The consent
service writes them; the gateway and the stream processors read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from schemas.envelope import envelope, published_by
from services.identity.domain.merges import Merge, MergeLedger, StewardDecision

MERGED: Final = "ChildRefsMerged"
UNMERGED: Final = "ChildRefsUnmerged"
MERGE_SOURCE: Final = published_by("joinedup-consent", "consent-service", "identity-steward")


def whole_millis(moment: dt.datetime) -> dt.datetime:
    """`moment` to the millisecond, as Avro's timestamp-millis keeps it."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _record(event_type: str, merge: Merge, decision: StewardDecision) -> dict[str, Any]:
    at = whole_millis(decision.decided_at)
    return {
        **envelope(
            event_type,
            occurred_at=at,
            recorded_at=at,
            source=MERGE_SOURCE,
            child_ref=merge.absorbed,
            correlation_id=merge.merge_id,
        ),
        "merge_id": merge.merge_id,
        "surviving_child_ref": merge.surviving,
        "absorbed_child_ref": merge.absorbed,
        "steward": decision.steward,
        "reason": decision.reason,
        "decided_at": at,
    }


def merged_record(merge: Merge) -> dict[str, Any]:
    """The ChildRefsMerged event of a merge."""
    return _record(MERGED, merge, merge.merged)


def unmerged_record(merge: Merge) -> dict[str, Any]:
    """The ChildRefsUnmerged event of an unmerged merge."""
    if merge.unmerged is None:
        msg = f"merge {merge.merge_id} is in force: there is no unmerge to record"
        raise ValueError(msg)
    return _record(UNMERGED, merge, merge.unmerged)


def apply_merge_event(ledger: MergeLedger, event: Mapping[str, Any]) -> None:
    """Apply one decoded identity.merges event to `ledger` (other event types are ignored)."""
    if event["event_type"] not in {MERGED, UNMERGED}:
        return
    decision = StewardDecision(
        steward=str(event["steward"]), reason=str(event["reason"]), decided_at=event["decided_at"]
    )
    merge_id = str(event["merge_id"])
    if event["event_type"] == MERGED:
        ledger.record_merge(
            Merge(
                merge_id,
                str(event["surviving_child_ref"]),
                str(event["absorbed_child_ref"]),
                decision,
            )
        )
    else:
        ledger.record_unmerge(merge_id, decision)
