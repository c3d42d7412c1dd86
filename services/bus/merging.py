"""Two children made one by an identity steward: the hand-over every stateful processor shares.

The policy-free half of a merge (docs/identity.md, "The hand-over"); each
processor says only how two children's state fold into one (`fold`), what
stays with the absorbed child (`hand_over`) and how it processes a record as
another child's (`handle_as`).

- A merge decision (ChildRefsMerged on identity.merges) is keyed by the
  ABSORBED child_ref, so the worker owning the absorbed child reads it. In the
  batch's transaction it marks the absorbed child as forwarding to the
  survivor (a header of the child's changelog record) and writes a `state`
  hand-over, keyed by the SURVIVING child_ref, to the processor's own
  `<app id>-handovers` topic. Both commit with the decision's offset, or
  neither does.
- The worker owning the survivor reads the hand-over and folds the absorbed
  child's state into the survivor's, in its transaction.
- A record still arriving under the absorbed child_ref is forwarded: written
  as it came (a `record` hand-over keyed by the survivor, in the transaction
  that consumes it) and processed by the survivor's worker as the survivor's.
- A hand-over reaching a child that is itself absorbed goes on to that child's
  survivor: chains end at the final survivor.
- An unmerge (ChildRefsUnmerged of the same merge id) clears the mark: later
  records of the absorbed child_ref are its own again, on the state it kept.
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, TypeVar

import structlog

from services.bus.child_store import ChildStore, Forward
from services.bus.deadletter import dead_letter
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings
from services.bus.stateful import ChildProcessor

log = structlog.get_logger(__name__)
S = TypeVar("S")

HANDOVER_HEADER: Final = "joinedup.handover"  # what a hand-over carries: STATE or RECORD
MERGE_HEADER: Final = "joinedup.merge"  # the merge id it is part of
SOURCE_HEADER: Final = "joinedup.source.topic"  # where a forwarded record was consumed
STATE: Final = b"state"
RECORD: Final = b"record"


@dataclass(frozen=True, slots=True)
class MergeDecision:
    """An identity steward's decision as the processors read it: merge or unmerge."""

    merge_id: str
    surviving: str
    absorbed: str
    merged: bool  # False: the merge `merge_id` is reversed


class MergingProcessor(ChildProcessor[S]):
    """A stateful processor that hands an absorbed child's state and records to the survivor."""

    def __init__(self, settings: BusSettings, store: ChildStore[S], handovers: str) -> None:
        """Keep state in `store`; hand over through the topic `handovers` (`<app id>-handovers`)."""
        super().__init__(settings, store)
        self.handovers = handovers

    @abstractmethod
    def empty(self, child_ref: str) -> S:
        """The state of a child nothing is known about."""

    @abstractmethod
    def fold(self, survivor: S, absorbed: S, child_ref: str) -> S:
        """The survivor `child_ref`'s state with an absorbed child's folded into it."""

    @abstractmethod
    def handle_as(self, record: Incoming, child_ref: str) -> list[Outgoing]:
        """Process a forwarded record as a record of the child `child_ref`."""

    def hand_over(self, state: S) -> tuple[S, S]:
        """(what the absorbed child keeps, what goes to the survivor); by default all, both."""
        return state, state

    def due_of(self, state: S) -> dt.datetime | None:  # noqa: ARG002 - for processors with timers
        """When a timer of the child next fires, or None."""
        return None

    def keep(self, partition: int, child_ref: str, state: S) -> Outgoing:
        """Keep a child's new state; its changelog record."""
        return self.store.put(partition, child_ref, state, self.due_of(state))

    def decided(self, partition: int, decision: MergeDecision) -> list[Outgoing]:
        """Apply a steward's decision read on the absorbed child's partition."""
        store = self.store
        absorbed = decision.absorbed
        current = store.forward_of(partition, absorbed)
        state = store.get(partition, absorbed) or self.empty(absorbed)
        if not decision.merged:
            if current is None or current.merge_id != decision.merge_id:
                log.info(
                    "unmerge of a merge not in force here; nothing to do", merge=decision.merge_id
                )
                return []
            log.info(
                "unmerged: records of the absorbed child are its own again", merge=decision.merge_id
            )
            return [store.mark(partition, absorbed, state, None, self.due_of(state))]
        if current is not None:
            log.info("merge already in force; nothing to do", merge=decision.merge_id)
            return []
        kept, moved = self.hand_over(state)
        forward = Forward(decision.surviving, decision.merge_id)
        log.info("merged: state handed over to the surviving child", merge=decision.merge_id)
        headers = ((HANDOVER_HEADER, STATE), (MERGE_HEADER, decision.merge_id.encode()))
        return [
            store.mark(partition, absorbed, kept, forward, self.due_of(kept)),
            Outgoing(
                self.handovers, forward.survivor.encode(), store.codec.dump(moved), None, headers
            ),
        ]

    def forwarded(self, record: Incoming, child_ref: str) -> list[Outgoing] | None:
        """The record forwarded to the survivor when `child_ref` was absorbed; else None."""
        forward = self.store.forward_of(record.partition, child_ref)
        if forward is None:
            return None
        headers = (
            (HANDOVER_HEADER, RECORD),
            (MERGE_HEADER, forward.merge_id.encode()),
            (SOURCE_HEADER, record.topic.encode()),
        )
        return [Outgoing(self.handovers, forward.survivor.encode(), record.value, None, headers)]

    def take_over(self, record: Incoming) -> list[Outgoing]:
        """A record of the hand-over topic: fold a state, process a forwarded record, pass on."""
        survivor = (record.key or b"").decode()
        forward = self.store.forward_of(record.partition, survivor)
        if forward is not None:  # the survivor was absorbed in turn: on to its own survivor
            return [
                Outgoing(
                    self.handovers, forward.survivor.encode(), record.value, None, record.headers
                )
            ]
        kind = record.header(HANDOVER_HEADER)
        if kind == RECORD:
            return self.handle_as(record, survivor)
        if kind != STATE:
            return [
                dead_letter(record, "unreadable", f"{HANDOVER_HEADER}: must be state or record")
            ]
        absorbed = self.store.codec.load(record.value or b"")
        current = self.store.get(record.partition, survivor) or self.empty(survivor)
        log.info(
            "absorbed child's state folded in", merge=(record.header(MERGE_HEADER) or b"").decode()
        )
        return [self.keep(record.partition, survivor, self.fold(current, absorbed, survivor))]


# Whether each event type of identity.merges merges (True) or unmerges (False).
MERGE_DECISIONS: Final[Mapping[str, bool]] = MappingProxyType(
    {"ChildRefsMerged": True, "ChildRefsUnmerged": False}
)


def merge_decision(event: Mapping[str, Any], fields: Mapping[Any, str]) -> MergeDecision:
    """The decision an identity.merges event carries; `fields`: its field names by role.

    The roles (`merge-id`, `surviving`, `absorbed`) are those of the event's row
    in the processing table (schemas/processing.py), which the caller passes.
    """
    return MergeDecision(
        merge_id=str(event[fields["merge-id"]]),
        surviving=str(event[fields["surviving"]]),
        absorbed=str(event[fields["absorbed"]]),
        merged=MERGE_DECISIONS[event["event_type"]],
    )
