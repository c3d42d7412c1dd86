"""One router worker's processing of one record: decode, fold state, decide, emit.

Transport-free: records to write are returned as `Outgoing` values, and the
worker (services/router/worker.py) sends them inside the transaction that
also commits the consumed offsets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from consent.domain.agency import Agency
from consent.domain.child import ChildState
from consent.domain.directive import ConsentDirective
from consent.domain.event import EventFacts
from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.bus import topics
from services.bus.deadletter import dead_letter
from services.bus.records import Incoming, Outgoing
from services.router.adapters.chain_tails import ChainTails
from services.router.domain.audit_chain import seal
from services.router.domain.child_state import states_for, with_directive
from services.router.domain.routing import route
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


class ChildStates:
    """Per-child state of the partitions this worker owns, with its changelog records."""

    def __init__(self, changelog: str) -> None:
        """Write changes to the compacted topic `changelog`."""
        self.changelog = changelog
        self._states: dict[str, ChildState] = {}

    def get(self, child_ref: str) -> ChildState:
        """The child's state (empty for a child not seen before)."""
        return self._states.get(child_ref) or ChildState(child_ref=child_ref)

    def put(self, state: ChildState, partition: int) -> Outgoing:
        """Keep `state`; return its changelog record (same partition as the child's events)."""
        self._states[state.child_ref] = state
        return Outgoing(
            self.changelog, state.child_ref.encode(), state.model_dump_json().encode(), partition
        )

    def restore(self, key: bytes, value: bytes | None) -> None:
        """Apply one changelog record read back on assignment."""
        if value is None:
            self._states.pop(key.decode(), None)
        else:
            self._states[key.decode()] = ChildState.model_validate_json(value)


def _addressed(event: dict[str, Any], candidates: Sequence[Agency]) -> Sequence[Agency]:
    """An alert goes only to the agencies it names; any other event to every candidate."""
    if event["event_type"] != "AlertRaised":
        return candidates
    named = set(event["recipient_agencies"])
    return [agency for agency in candidates if agency.id in named]


class RouterStage:
    """Routes one record at a time; what cannot be processed is dead-lettered with why."""

    def __init__(self, parts: RouterParts, states: ChildStates) -> None:
        """Route with `parts`; keep child state in `states`."""
        self._parts = parts
        self._states = states

    async def handle(self, record: Incoming) -> list[Outgoing]:
        """The records one consumed record produces."""
        try:
            event = self._parts.codec.decode(record.value or b"")
            if event["event_type"] == "ConsentDirectiveRecorded":
                return [self.apply_directive(event, record.partition)]
            return await self.route_event(event, record.partition)
        except ContractError as exc:
            return [dead_letter(record, "undecodable", str(exc))]
        except (KeyError, ValueError) as exc:
            return [dead_letter(record, "unroutable", f"{type(exc).__name__}: {exc}")]

    def apply_directive(self, event: dict[str, Any], partition: int) -> Outgoing:
        """Record a consent directive in its child's state (applies to every later event)."""
        directive = ConsentDirective.model_validate(json.loads(event["payload"]))
        state = with_directive(self._states.get(directive.child_ref), directive)
        return self._states.put(state, partition)

    async def route_event(self, event: dict[str, Any], partition: int) -> list[Outgoing]:
        """Decide for every candidate recipient: views, sealed audit records, new state."""
        parts = self._parts
        child_ref = str(event["child_ref"])
        before = self._states.get(child_ref)
        deciding, after = states_for(before, event)
        facts = EventFacts.from_event(
            event,
            provider_kind=parts.policy.kind_of(event["source"]["agency"]),
            field_classes=parts.catalogue.field_classes(event["event_type"]),
        )
        routed = route(
            event,
            facts=facts,
            recipients=_addressed(event, parts.policy.candidates(facts, deciding)),
            state=deciding,
            decide=parts.policy.decide,
            decided_at=datetime.now(UTC),
            policy_version=parts.policy.version,
        )
        key = child_ref.encode()
        out = [
            Outgoing(topics.view(recipient), key, parts.codec.encode("DisclosedEvent", view))
            for recipient, view in routed.views
        ]
        prev = await parts.chain.tail(partition)
        for audit in routed.audits:
            prev = seal(audit, prev)["hash"]
            out.append(
                Outgoing(
                    parts.topics.audit,
                    key,
                    parts.codec.encode("DisclosureDecided", audit),
                    partition,
                )
            )
        parts.chain.advance(partition, prev)
        if after != before:
            out.append(self._states.put(after, partition))
        return out
