"""The router's processing of one record: decode, fold state, decide, emit.

Transport-free: records to write are returned as `Outgoing` values, and the
transactional loop (services/bus/transactional.py) sends them inside the
transaction that also commits the consumed offsets. State, restore and revoke
come from the shared mechanism (services/bus/stateful.py).
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
from services.audit.chain_tails import ChainTails
from services.bus import topics
from services.bus.child_store import ChildStore, StateCodec
from services.bus.deadletter import dead_letter
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings
from services.bus.stateful import ChildProcessor
from services.router.adapters.output_records import OutputRecords
from services.router.domain.child_state import states_for, with_directive
from services.router.domain.routing import route
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

    def sources(self, agencies: Iterable[str]) -> list[str]:
        """Every agency's ingest topic, the alerts and the directives."""
        return [*(topics.ingest(agency) for agency in agencies), self.alerts, self.directives]


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


class RouterProcessor(ChildProcessor[ChildState]):
    """Routes one record at a time; what breaks the contract is dead-lettered with why."""

    def __init__(self, settings: BusSettings, parts: RouterParts, changelog: str) -> None:
        """Route with `parts`; keep child state in the compacted topic `changelog`."""
        super().__init__(settings, ChildStore(changelog, child_state_codec()))
        self._parts = parts
        self._outputs = OutputRecords(parts.codec)
        self._view_topics: dict[str, str] = {}

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
        try:
            event = self._parts.codec.decode(record.value or b"")
            if event["event_type"] == "ConsentDirectiveRecorded":
                return [self.apply_directive(event, record.partition)]
            return self.route_event(event, record.partition)
        except ContractError as exc:
            return [dead_letter(record, "undecodable", str(exc))]
        except UnroutableEventError as exc:
            return [dead_letter(record, "unroutable", str(exc))]

    def _state(self, partition: int, child_ref: str) -> ChildState:
        known = self.store.get(partition, child_ref)
        if known is not None:
            return known
        return ChildState.model_construct(child_ref=child_ref)  # the defaults: nothing known

    def apply_directive(self, event: dict[str, Any], partition: int) -> Outgoing:
        """Record a consent directive in its child's state (applies to every later event)."""
        try:
            directive = ConsentDirective.model_validate_json(event["payload"])
        except ValidationError as exc:
            msg = f"payload: not a valid consent directive ({exc.error_count()} error(s))"
            raise UnroutableEventError(msg) from exc
        state = with_directive(self._state(partition, directive.child_ref), directive)
        return self.store.put(partition, state.child_ref, state)

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
