"""Identity stewards' merges: the ledger's rules, forward resolution, relinked identifiers."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.codec import AvroCodec
from schemas.models.common import Source
from schemas.schema_source import InMemorySchemaSource
from services.identity.domain.child_ref import ChildRefKey, ChildRefKeyring
from services.identity.domain.identifiers import nhs_number, upn
from services.identity.domain.links import IdentityIndex
from services.identity.domain.merges import Merge, MergeLedger, StewardDecision
from services.identity.exceptions import (
    IdentityConflictError,
    MergeConflictError,
    MergeRuleError,
    UnknownMergeError,
)
from services.identity.handlers import IdentityResolver
from services.identity.merge_events import apply_merge_event, merged_record, unmerged_record

NHS = "9434765919"
UPN = "J201300101001"
SOURCE = Source(agency="school-100001", system="mis", practitioner_role=None)
AT = dt.datetime(2026, 11, 2, 10, 30, tzinfo=dt.UTC)
A, B, C = ("cr1_" + letter * 32 for letter in "abc")


def decided(steward: str = "steward", reason: str = "same child") -> StewardDecision:
    return StewardDecision(steward, reason, AT)


def merge(merge_id: str, surviving: str, absorbed: str) -> Merge:
    return Merge(merge_id, surviving, absorbed, decided())


class TestMergeLedger:
    def test_an_absorbed_ref_resolves_to_its_survivor_and_back_once_unmerged(self):
        """A merge forwards the absorbed ref; its unmerge makes it its own child again."""
        ledger = MergeLedger()
        ledger.record_merge(merge("m1", B, A))
        assert (ledger.survivor(A), ledger.survivor(B)) == (B, B)
        ledger.record_unmerge("m1", decided(reason="two children after all"))
        assert ledger.survivor(A) == A
        assert ledger.get("m1").unmerged.reason == "two children after all"

    def test_chains_resolve_to_the_final_survivor(self):
        """A into B, then B into C: A's records go to C."""
        ledger = MergeLedger()
        ledger.record_merge(merge("m1", B, A))
        ledger.record_merge(merge("m2", C, B))
        assert ledger.survivor(A) == C

    def test_the_same_ref_twice_is_refused_naming_the_field(self):
        """Merging a ref into itself breaks a rule of the request (422 at the API)."""
        with pytest.raises(MergeRuleError) as caught:
            MergeLedger().check_merge(A, A)
        assert caught.value.field == "absorbed_child_ref"

    def test_merging_into_an_absorbed_ref_is_refused_naming_its_survivor(self):
        """The survivor must be a ref nobody absorbed: merge into its own survivor instead."""
        ledger = MergeLedger()
        ledger.record_merge(merge("m1", B, A))
        with pytest.raises(MergeConflictError) as caught:
            ledger.check_merge(A, C)
        assert caught.value.field == "surviving_child_ref"
        assert B in caught.value.rule

    def test_absorbing_a_ref_twice_is_refused(self):
        """A ref absorbed by a merge in force is not absorbed again (no two survivors)."""
        ledger = MergeLedger()
        ledger.record_merge(merge("m1", B, A))
        with pytest.raises(MergeConflictError) as caught:
            ledger.check_merge(C, A)
        assert caught.value.field == "absorbed_child_ref"

    def test_no_merge_rule_allows_a_cycle(self):
        """B into A after A into B is refused: A is absorbed, so it cannot survive."""
        ledger = MergeLedger()
        ledger.record_merge(merge("m1", B, A))
        with pytest.raises(MergeConflictError):
            ledger.check_merge(A, B)

    def test_unmerge_of_an_unknown_or_unmerged_merge_is_refused(self):
        """An unknown id is not found; a merge already unmerged is a conflict."""
        ledger = MergeLedger()
        with pytest.raises(UnknownMergeError) as unknown:
            ledger.check_unmerge("nope")
        assert unknown.value.field == "merge_id"
        ledger.record_merge(merge("m1", B, A))
        ledger.record_unmerge("m1", decided())
        with pytest.raises(MergeConflictError):
            ledger.check_unmerge("m1")

    def test_merges_of_a_ref_name_it_on_either_side(self):
        """Listing by child_ref finds merges where it survived or was absorbed."""
        ledger = MergeLedger()
        ledger.record_merge(merge("m1", B, A))
        ledger.record_merge(merge("m2", C, B))
        assert [m.merge_id for m in ledger.merges_of(B)] == ["m1", "m2"]
        assert [m.merge_id for m in ledger.merges_of(A)] == ["m1"]
        assert len(ledger.merges_of()) == 2


class TestMergeEvents:
    def test_decisions_round_trip_through_the_contract_into_a_ledger(self):
        """ChildRefsMerged and ChildRefsUnmerged encode, decode and rebuild the same ledger."""
        codec = AvroCodec(InMemorySchemaSource())
        made = Merge("7d0c7a56-9a7b-4a55-9f4e-6f3f2a1b0c9d", B, A, decided())
        undone = Merge(made.merge_id, B, A, made.merged, decided(reason="wrong child"))
        ledger = MergeLedger()
        for event_type, record in (
            ("ChildRefsMerged", merged_record(made)),
            ("ChildRefsUnmerged", unmerged_record(undone)),
        ):
            assert record["child_ref"] == A  # keyed and partitioned by the absorbed ref
            apply_merge_event(ledger, codec.decode(codec.encode(event_type, record)))
        assert ledger.get(made.merge_id) == undone
        assert ledger.survivor(A) == A


class TestRelinkedIdentifiers:
    @pytest.fixture
    def keyring(self):
        return ChildRefKeyring([ChildRefKey(1, b"k" * 32)])

    def test_upn_then_nhs_number_conflicts_until_merged_and_again_after_unmerge(self, keyring):
        """One child known by UPN (ref A) and NHS number (ref B): 422 before, one ref after."""
        index = IdentityIndex(keyring)
        resolver = IdentityResolver(keyring, index)
        by_upn = resolver.resolve([upn(UPN)], source=SOURCE, method="ingest").child_ref
        by_nhs = resolver.resolve([nhs_number(NHS)], source=SOURCE, method="ingest").child_ref
        both = [upn(UPN), nhs_number(NHS)]
        with pytest.raises(IdentityConflictError):
            resolver.resolve(both, source=SOURCE, method="ingest")
        index.merges.record_merge(merge("m1", by_nhs, by_upn))
        resolution = resolver.resolve(both, source=SOURCE, method="ingest")
        assert resolution.child_ref == by_nhs
        assert resolution.links == []  # the links stay as made; the merge relinks them
        assert resolver.resolve([upn(UPN)], source=SOURCE, method="ingest").child_ref == by_nhs
        index.merges.record_unmerge("m1", decided())
        assert resolver.resolve([upn(UPN)], source=SOURCE, method="ingest").child_ref == by_upn
        with pytest.raises(IdentityConflictError):
            resolver.resolve(both, source=SOURCE, method="ingest")

    def test_an_nhs_number_merged_away_resolves_to_the_upn_survivor(self, keyring):
        """The survivor may be the UPN's ref: the NHS number's ref forwards to it."""
        index = IdentityIndex(keyring)
        resolver = IdentityResolver(keyring, index)
        by_upn = resolver.resolve([upn(UPN)], source=SOURCE, method="ingest").child_ref
        by_nhs = resolver.resolve([nhs_number(NHS)], source=SOURCE, method="ingest").child_ref
        index.merges.record_merge(merge("m1", by_upn, by_nhs))
        both = resolver.resolve([upn(UPN), nhs_number(NHS)], source=SOURCE, method="ingest")
        assert both.child_ref == by_upn
