"""The router's processing of one record: decode, fold state, decide, emit.

Transport-free: records to write are returned as `Outgoing` values, and the
transactional loop (services/bus/transactional.py) sends them inside the
transaction that also commits the consumed offsets. State, restore and revoke
come from the shared mechanism (services/bus/stateful.py); an identity
steward's merge hands an absorbed child's state and later records over to the
surviving child (services/bus/merging.py), folded by `absorbed_into`. A
forwarded record is routed as the survivor's: its views and audit records
carry the surviving child_ref.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from pydantic import ValidationError

from consent.decision import decide_disclosure
from consent.domain.agency import Agency
from consent.domain.child import ChildState
from consent.domain.directive import ConsentDirective
from consent.domain.disclosure import Deny, Permit
from consent.domain.event import EventFacts
from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from schemas.processing import PROCESSING
from services.audit.chain_tails import ChainTails
from services.bus import topics
from services.bus.child_store import ChildStore, StateCodec
from services.bus.deadletter import dead_letter
from services.bus.loop_metrics import StagedCounter
from services.bus.merging import MERGE_DECISIONS, MergingProcessor, merge_decision
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings
from services.observability.metrics import metrics
from services.router.adapters.output_records import OutputRecords
from services.router.domain.child_state import absorbed_into, states_for, with_directive
from services.router.domain.routing import route
from services.router.domain.unreadable_directive import standing_objection
from services.router.exceptions import UnroutableEventError
from services.router.policy import LivePolicy

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RouterTopics:
    """The topics the router reads and writes (defaults: services/bus/topics.py)."""

    alerts: str = topics.ALERTS_RAISED
    directives: str = topics.CONSENT_DIRECTIVES
    audit: str = topics.AUDIT_DISCLOSURES
    agreements: str = topics.CONSENT_AGREEMENTS
    merges: str = topics.IDENTITY_MERGES

    def sources(self, agencies: Iterable[str]) -> list[str]:
        """Every agency's ingest topic, the alerts, the directives and the merges."""
        return [
            *(topics.ingest(agency) for agency in agencies),
            self.alerts,
            self.directives,
            self.merges,
        ]


@dataclass
class RouterParts:
    """What routing uses, built by the bootstrap."""

    codec: AvroCodec
    catalogue: Catalogue
    policy: LivePolicy
    chain: ChainTails
    topics: RouterTopics


def child_state_codec() -> StateCodec[ChildState]:
    """How the router writes a child's state to its changelog."""
    return StateCodec(
        lambda state: state.model_dump_json().encode(), ChildState.model_validate_json
    )


def _addressed(event: dict[str, Any], candidates: Sequence[Agency]) -> Sequence[Agency]:
    """An alert goes only to the agencies it names; any other event to every candidate."""
    if event["event_type"] != "AlertRaised":
        return candidates
    named = set(event["recipient_agencies"])
    return [agency for agency in candidates if agency.id in named]


class RouterProcessor(MergingProcessor[ChildState]):
    """Routes one record at a time; what breaks the contract is dead-lettered with why."""

    def __init__(
        self, settings: BusSettings, parts: RouterParts, changelog: str, handovers: str
    ) -> None:
        """Route with `parts`; keep child state in the compacted topic `changelog`.

        `handovers`: the router's own hand-over topic (merged children).
        """
        super().__init__(settings, ChildStore(changelog, child_state_codec()), handovers)
        self._parts = parts
        self._outputs = OutputRecords(parts.codec)
        self._view_topics: dict[str, str] = {}
        self.decisions = StagedCounter(metrics().decisions)  # counted when committed

    def _view_topic(self, recipient: str) -> str:
        topic = self._view_topics.get(recipient)
        if topic is None:
            topic = self._view_topics[recipient] = topics.view(recipient)
        return topic

    def restored(self, partitions: frozenset[int]) -> None:
        """Read where each owned audit partition's chain ends."""
        self._parts.chain.restore(partitions)

    def dropped(self, partitions: frozenset[int]) -> None:
        """Forget the chain tails with the state."""
        self._parts.chain.drop(partitions)

    def handle(self, record: Incoming) -> list[Outgoing]:
        """The records one consumed record produces."""
        if record.topic == self.handovers:
            return self.take_over(record)
        return self._handle(record, None)

    def handle_as(self, record: Incoming, child_ref: str) -> list[Outgoing]:
        """A record forwarded from an absorbed child, routed as the survivor `child_ref`'s."""
        return self._handle(record, child_ref)

    def _handle(self, record: Incoming, survivor: str | None) -> list[Outgoing]:
        try:
            event = self._parts.codec.decode(record.value or b"")
            event_type = event["event_type"]
            if event_type in MERGE_DECISIONS:
                decision = merge_decision(event, PROCESSING[event_type].fields)
                return self.decided(record.partition, decision)
            if survivor is None:
                forwarded = self.forwarded(record, str(event["child_ref"]))
                if forwarded is not None:
                    return forwarded
            else:
                event["child_ref"] = survivor
            if event_type == "ConsentDirectiveRecorded":
                return self.apply_directive(event, record, survivor)
            return self.route_event(event, record.partition)
        except ContractError as exc:
            return [dead_letter(record, "undecodable", str(exc))]
        except UnroutableEventError as exc:
            return [dead_letter(record, "unroutable", str(exc))]

    def empty(self, child_ref: str) -> ChildState:
        """Nothing known about a child: the defaults."""
        return ChildState.model_construct(child_ref=child_ref)

    def fold(self, survivor: ChildState, absorbed: ChildState, child_ref: str) -> ChildState:
        """The survivor's facts and directives joined with the absorbed child's."""
        return absorbed_into(survivor.model_copy(update={"child_ref": child_ref}), absorbed)

    def _state(self, partition: int, child_ref: str) -> ChildState:
        known = self.store.get(partition, child_ref)
        return self.empty(child_ref) if known is None else known

    def apply_directive(
        self, event: dict[str, Any], record: Incoming, survivor: str | None = None
    ) -> list[Outgoing]:
        """Record a consent directive in its child's state (applies to every later event).

        `survivor`: the directive was recorded under a child_ref since merged
        into this one, and is kept as this child's. A directive this router
        cannot read stands as an objection to everything (fails closed,
        services/router/domain/unreadable_directive.py) and is dead-lettered.
        """
        child_ref = survivor or str(event["child_ref"])
        letters: list[Outgoing] = []
        try:
            directive = ConsentDirective.model_validate_json(event["payload"])
        except ValidationError as exc:
            msg = f"payload: not a valid consent directive ({exc.error_count()} error(s))"
            letters.append(dead_letter(record, "unreadable-directive", msg))
            directive = standing_objection(event, child_ref)
            log.warning("unreadable directive stands as an objection", offset=record.offset)
        if directive.child_ref != child_ref:
            directive = directive.model_copy(update={"child_ref": child_ref})
        state = with_directive(self._state(record.partition, child_ref), directive)
        return [self.store.put(record.partition, child_ref, state), *letters]

    def route_event(self, event: dict[str, Any], partition: int) -> list[Outgoing]:
        """Decide for every candidate recipient: views, sealed audit records, new state."""
        parts = self._parts
        child_ref = str(event["child_ref"])
        before = self._state(partition, child_ref)
        deciding, after = states_for(before, event)
        facts = EventFacts.from_event(
            event,
            provider_kind=parts.policy.kind_of(event["source"]["agency"]),
            field_classes=parts.catalogue.field_classes(event["event_type"]),
        )
        index = parts.policy.index  # one policy for the whole event

        def decide(f: EventFacts, r: Agency, s: ChildState, at: datetime) -> Permit | Deny:
            return decide_disclosure(f, r, s, index, at)

        routed = route(
            event,
            facts=facts,
            recipients=_addressed(event, index.candidate_recipients(facts, deciding)),
            state=deciding,
            decide=decide,
            decided_at=datetime.now(UTC),
            policy_version=index.policy_version,
        )
        add = self.decisions.add
        for outcome in routed.outcomes:
            add(*outcome)
        key = child_ref.encode()
        out = [
            Outgoing(self._view_topic(recipient), key, value)
            for recipient, value in self._outputs.views(routed.views)
        ]
        sealed, tail = self._outputs.audits(routed.audits, parts.chain.tail(partition))
        out += [Outgoing(parts.topics.audit, key, value, partition) for value in sealed]
        parts.chain.advance(partition, tail)
        if after != before:
            out.append(self.store.put(partition, child_ref, after))
        return out
