"""Merges of two child_refs, decided by identity stewards: which ref forwards where, and the rules.

Pure. The consent service checks a steward's request against the ledger and
records the decision on identity.merges; the gateway follows that topic into
its ledger, so identifiers linked to an absorbed child_ref resolve to the
surviving one, and resolve to their own child_ref again once unmerged.

Rules: the two refs differ; a ref already absorbed (by a merge in force) is
not absorbed again; a ref absorbed is not a survivor (merge into its own
survivor instead). So every child_ref forwards along one chain that ends at a
ref nobody absorbed, with no cycle: `survivor` follows it to the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from services.identity.exceptions import (
    MergeConflictError,
    MergeRuleError,
    UnknownMergeError,
)


@dataclass(frozen=True, slots=True)
class StewardDecision:
    """Who decided, why and when."""

    steward: str
    reason: str
    decided_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Merge:
    """One merge: `absorbed` forwards to `surviving` while in force (until unmerged)."""

    merge_id: str
    surviving: str
    absorbed: str
    merged: StewardDecision
    unmerged: StewardDecision | None = None

    @property
    def in_force(self) -> bool:
        """True until the merge is unmerged."""
        return self.unmerged is None


class MergeLedger:
    """Every merge seen, and the merges in force by absorbed child_ref."""

    def __init__(self) -> None:
        """Start with no merges."""
        self._merges: dict[str, Merge] = {}
        self._absorbing: dict[str, str] = {}  # absorbed child_ref -> merge id in force

    def __len__(self) -> int:
        """How many merges were decided (unmerged ones included)."""
        return len(self._merges)

    def get(self, merge_id: str) -> Merge | None:
        """The merge `merge_id`, or None."""
        return self._merges.get(merge_id)

    def absorbing(self, child_ref: str) -> Merge | None:
        """The merge in force that absorbed `child_ref`, or None."""
        merge_id = self._absorbing.get(child_ref)
        return None if merge_id is None else self._merges[merge_id]

    def survivor(self, child_ref: str) -> str:
        """The child_ref `child_ref`'s records go to: itself, or the end of its merge chain."""
        seen = {child_ref}
        while (merge_id := self._absorbing.get(child_ref)) is not None:
            child_ref = self._merges[merge_id].surviving
            if child_ref in seen:  # cannot happen by the rules; never loop on a bad topic
                break
            seen.add(child_ref)
        return child_ref

    def check_merge(self, surviving: str, absorbed: str) -> None:
        """Raise unless `absorbed` may be merged into `surviving` now."""
        if surviving == absorbed:
            raise MergeRuleError("absorbed_child_ref", "must differ from surviving_child_ref")
        taken = self.absorbing(absorbed)
        if taken is not None:
            raise MergeConflictError(
                "absorbed_child_ref",
                f"is already merged into another child (merge {taken.merge_id}); "
                "unmerge that first",
            )
        if self.absorbing(surviving) is not None:
            raise MergeConflictError(
                "surviving_child_ref",
                f"is itself merged into {self.survivor(surviving)}; merge into that child_ref",
            )

    def check_unmerge(self, merge_id: str) -> Merge:
        """The merge `merge_id` if it can be unmerged now; raise otherwise."""
        merge = self._merges.get(merge_id)
        if merge is None:
            raise UnknownMergeError("merge_id", "no merge has this id")
        if not merge.in_force:
            raise MergeConflictError("merge_id", "this merge is already unmerged")
        return merge

    def record_merge(self, merge: Merge) -> None:
        """Remember a merge decided (replaying the topic: the first decision of an id counts)."""
        if merge.merge_id in self._merges or merge.absorbed in self._absorbing:
            return
        self._merges[merge.merge_id] = merge
        if merge.in_force:
            self._absorbing[merge.absorbed] = merge.merge_id

    def record_unmerge(self, merge_id: str, decision: StewardDecision) -> Merge | None:
        """Remember that `merge_id` was unmerged; the merge, or None when unknown or unmerged."""
        merge = self._merges.get(merge_id)
        if merge is None or not merge.in_force:
            return None
        unmerged = replace(merge, unmerged=decision)
        self._merges[merge_id] = unmerged
        self._absorbing.pop(merge.absorbed, None)
        return unmerged

    def merges_of(self, child_ref: str | None = None) -> list[Merge]:
        """Merges naming `child_ref` on either side (None: every merge), oldest first."""
        found = [
            merge
            for merge in self._merges.values()
            if child_ref is None or child_ref in {merge.surviving, merge.absorbed}
        ]
        return sorted(found, key=lambda merge: (merge.merged.decided_at, merge.merge_id))
