"""The merge hand-over every stateful processor shares: forward marks, state, forwarded records.

A toy processor keeps a count per child (a record adds one; folding adds the
counts), so what is handed over, forwarded, re-forwarded or left alone shows
in plain numbers. Outputs for the hand-over topic are fed back by hand, as
the survivor's worker would read them.
"""

from __future__ import annotations

from services.bus.child_store import FORWARD_HEADER, ChildStore, Forward, StateCodec
from services.bus.merging import (
    HANDOVER_HEADER,
    MERGE_DECISIONS,
    RECORD,
    STATE,
    MergeDecision,
    MergingProcessor,
    merge_decision,
)
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings

HANDOVERS = "app-handovers"
A, B, C = "child-a", "child-b", "child-c"


class Counting(MergingProcessor[int]):
    """Counts records per child; a merge adds the absorbed child's count to the survivor's."""

    def __init__(self) -> None:
        codec = StateCodec(lambda n: str(n).encode(), int)
        super().__init__(BusSettings(), ChildStore("app-children", codec), HANDOVERS)
        self.store.begin([0])

    def empty(self, child_ref: str) -> int:
        return 0

    def fold(self, survivor: int, absorbed: int, child_ref: str) -> int:
        return survivor + absorbed

    def handle(self, record: Incoming) -> list[Outgoing]:
        if record.topic == self.handovers:
            return self.take_over(record)
        child_ref = (record.key or b"").decode()
        return self.forwarded(record, child_ref) or self.handle_as(record, child_ref)

    def handle_as(self, record: Incoming, child_ref: str) -> list[Outgoing]:
        count = self.store.get(record.partition, child_ref) or 0
        return [self.keep(record.partition, child_ref, count + 1)]


def event(child_ref: str, topic: str = "ingest.school") -> Incoming:
    return Incoming(topic, 0, 0, child_ref.encode(), b"event")


def fed_back(outputs: list[Outgoing]) -> list[Incoming]:
    """The hand-over records as the survivor's worker reads them."""
    return [
        Incoming(out.topic, 0, 1, out.key, out.value, out.headers)
        for out in outputs
        if out.topic == HANDOVERS
    ]


def run(processor: Counting, records: list[Incoming]) -> list[Outgoing]:
    """Handle `records`, then everything they hand over, until nothing more is handed over."""
    written: list[Outgoing] = []
    while records:
        outputs = [out for record in records for out in processor.handle(record)]
        written += outputs
        records = fed_back(outputs)
    return written


class TestMergeHandover:
    def test_a_merge_hands_the_absorbed_state_to_the_survivor_and_marks_the_absorbed(self):
        """The changelog record of the absorbed child carries the forward; the survivor folds."""
        processor = Counting()
        run(processor, [event(A), event(A), event(B)])
        written = processor.decided(0, MergeDecision("m1", B, A, merged=True))
        mark, handover = written
        assert (mark.topic, mark.key) == ("app-children", A.encode())
        assert (FORWARD_HEADER, Forward(B, "m1").encode()) in mark.headers
        assert (handover.topic, handover.key, handover.value) == (HANDOVERS, B.encode(), b"2")
        assert (HANDOVER_HEADER, STATE) in handover.headers
        run(processor, fed_back(written))
        assert processor.store.get(0, B) == 3

    def test_records_still_arriving_under_the_absorbed_ref_are_counted_for_the_survivor(self):
        """A late record of A is forwarded as it came, keyed by B, and applied to B only."""
        processor = Counting()
        run(processor, fed_back(processor.decided(0, MergeDecision("m1", B, A, merged=True))))
        forwarded = processor.handle(event(A))
        assert [(o.topic, o.key, o.value) for o in forwarded] == [(HANDOVERS, B.encode(), b"event")]
        assert (HANDOVER_HEADER, RECORD) in forwarded[0].headers
        run(processor, fed_back(forwarded))
        assert (processor.store.get(0, A), processor.store.get(0, B)) == (0, 1)

    def test_a_chain_forwards_to_the_final_survivor(self):
        """A into B, then B into C: a record of A ends up counted for C."""
        processor = Counting()
        run(processor, fed_back(processor.decided(0, MergeDecision("m1", B, A, merged=True))))
        run(processor, fed_back(processor.decided(0, MergeDecision("m2", C, B, merged=True))))
        run(processor, [event(A)])
        assert processor.store.get(0, C) == 1
        assert processor.store.get(0, B) == 0

    def test_a_repeated_merge_hands_nothing_over_twice(self):
        """The same decision read twice (or a second merge of A) changes nothing."""
        processor = Counting()
        run(processor, [event(A)])
        run(processor, fed_back(processor.decided(0, MergeDecision("m1", B, A, merged=True))))
        assert processor.decided(0, MergeDecision("m1", B, A, merged=True)) == []
        assert processor.decided(0, MergeDecision("m2", C, A, merged=True)) == []
        assert processor.store.get(0, B) == 1

    def test_unmerge_gives_the_absorbed_ref_its_own_records_again(self):
        """After the unmerge A counts its own records again, from what it had kept."""
        processor = Counting()
        run(processor, [event(A)])
        run(processor, fed_back(processor.decided(0, MergeDecision("m1", B, A, merged=True))))
        run(processor, [event(A)])  # during the merge: B's
        assert processor.decided(0, MergeDecision("other", B, A, merged=False)) == []
        [mark] = processor.decided(0, MergeDecision("m1", B, A, merged=False))
        assert not any(name == FORWARD_HEADER for name, _ in mark.headers)
        run(processor, [event(A)])
        assert (processor.store.get(0, A), processor.store.get(0, B)) == (2, 2)

    def test_a_handover_without_a_known_kind_is_dead_lettered(self):
        """A record of the hand-over topic without its header breaks the contract: kept, why."""
        processor = Counting()
        [letter] = processor.handle(Incoming(HANDOVERS, 0, 5, B.encode(), b"?"))
        assert letter.topic == f"deadletter.{HANDOVERS}"

    def test_the_decision_is_read_through_the_processing_table_names(self):
        """merge_decision reads the fields the table names, and the event type's direction."""
        fields = {"merge-id": "id", "surviving": "s", "absorbed": "a"}
        found = merge_decision(
            {"event_type": "ChildRefsUnmerged", "id": "m", "s": B, "a": A}, fields
        )
        assert found == MergeDecision("m", B, A, merged=False)
        assert set(MERGE_DECISIONS) == {"ChildRefsMerged", "ChildRefsUnmerged"}


class TestForwardOnRestore:
    def test_the_forward_header_is_read_back_from_the_changelog(self):
        """Restoring a marked record restores the forward; a later record without it clears it."""
        store = ChildStore("app-children", StateCodec(lambda n: str(n).encode(), int))
        store.begin([0])
        store._apply(0, A.encode(), b"2", [(FORWARD_HEADER, Forward(B, "m1").encode())])
        assert store.forward_of(0, A) == Forward(B, "m1")
        assert (FORWARD_HEADER, Forward(B, "m1").encode()) in store.put(0, A, 2).headers
        store._apply(0, A.encode(), b"2", [])
        assert store.forward_of(0, A) is None
