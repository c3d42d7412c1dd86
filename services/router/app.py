"""The router as a Faust app: ingest.* + alerts.raised + consent.directives -> views + audit.

Processing guarantee: at-least-once with idempotent consumers keyed by
event_id (docs/router.md). The per-child table remembers the last event ids
it routed, so a replay after a crash re-routes nothing it had recorded; a view
consumer de-duplicates on event_id for the rest; the audit chain continues
from the audit topic's actual tail, so replays never break it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import faust
import structlog

from consent.domain.child import ChildState
from consent.domain.directive import ConsentDirective
from consent.domain.event import EventFacts
from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.bus import topics
from services.bus.deadletter import DeadLetter
from services.bus.faust_app import build_faust_app
from services.bus.settings import BusSettings
from services.router.adapters.chain_tails import ChainTails
from services.router.domain.audit_chain import seal
from services.router.domain.child_state import states_for, with_directive
from services.router.domain.routing import route
from services.router.policy import LivePolicy

log = structlog.get_logger(__name__)

RECENT_EVENT_IDS: Final = 64


@dataclass(frozen=True)
class RouterTopics:
    """The topics the router reads and writes (defaults: services/bus/topics.py)."""

    alerts: str = topics.ALERTS_RAISED
    directives: str = topics.CONSENT_DIRECTIVES
    audit: str = topics.AUDIT_DISCLOSURES
    agreements: str = topics.CONSENT_AGREEMENTS

    def sources(self, agencies: Iterable[str]) -> list[str]:
        """Every agency's ingest topic, the alerts and the directives, by name.

        Not a pattern: a Kafka consumer cannot mix a pattern with the named
        changelog topics of tables.
        """
        return [*(topics.ingest(agency) for agency in agencies), self.alerts, self.directives]


@dataclass
class RouterParts:
    """What the router agent uses, built by the bootstrap."""

    codec: AvroCodec
    catalogue: Catalogue
    policy: LivePolicy
    chain: ChainTails
    topics: RouterTopics


def _load_state(stored: dict[str, Any] | None, child_ref: str) -> tuple[ChildState, list[str]]:
    if not stored:
        return ChildState(child_ref=child_ref), []
    return ChildState.model_validate(stored["state"]), list(stored["recent"])


def _store_state(state: ChildState, recent: list[str]) -> dict[str, Any]:
    return {"state": state.model_dump(mode="json"), "recent": recent[-RECENT_EVENT_IDS:]}


class RouterStage:
    """One router worker's processing: decode, fold state, decide, write views and audit."""

    def __init__(
        self, app: faust.App, parts: RouterParts, children: MutableMapping[str, Any]
    ) -> None:
        """Write through `app`'s producer; keep child state in `children`."""
        self._app = app
        self._parts = parts
        self._children = children
        self._outputs: dict[str, faust.TopicT] = {}

    def output(self, name: str) -> faust.TopicT:
        """A raw-bytes output topic, made once per name."""
        if name not in self._outputs:
            self._outputs[name] = self._app.topic(
                name, key_serializer="raw", value_serializer="raw"
            )
        return self._outputs[name]

    async def handle(self, event: faust.EventT[bytes]) -> None:
        """Process one record; what cannot be processed goes to dead letter with the reason."""
        try:
            record = self._parts.codec.decode(event.value)
            if record["event_type"] == "ConsentDirectiveRecorded":
                self.apply_directive(record)
            else:
                await self.route_event(record, event.message.partition)
        except ContractError as exc:
            await self.dead_letter(event, "undecodable", str(exc))
        except (KeyError, ValueError) as exc:
            await self.dead_letter(event, "unroutable", f"{type(exc).__name__}: {exc}")

    async def dead_letter(self, event: faust.EventT[bytes], reason: str, error: str) -> None:
        """Send the record as it came to `deadletter.<source>` with the reason in headers."""
        message = event.message
        letter = DeadLetter(
            message.topic,
            message.partition,
            message.offset,
            reason,
            error,
            message.key,
            message.value,
        )
        await self.output(letter.topic).send(
            key=letter.key, value=letter.value, headers=letter.headers()
        )
        log.warning("dead-lettered", topic=letter.source_topic, offset=letter.offset, reason=reason)

    def apply_directive(self, record: dict[str, Any]) -> None:
        """Record a consent directive in its child's state (applies to every later event)."""
        directive = ConsentDirective.model_validate(json.loads(record["payload"]))
        state, recent = _load_state(self._children.get(directive.child_ref), directive.child_ref)
        self._children[directive.child_ref] = _store_state(with_directive(state, directive), recent)

    async def route_event(self, record: dict[str, Any], partition: int) -> None:
        """Decide for every candidate recipient; write views, then the sealed audit records."""
        parts = self._parts
        child_ref = str(record["child_ref"])
        state, recent = _load_state(self._children.get(child_ref), child_ref)
        event_id = str(record["event_id"])
        if event_id in recent:
            return
        deciding, after = states_for(state, record)
        facts = EventFacts.from_event(
            record,
            provider_kind=parts.policy.kind_of(record["source"]["agency"]),
            field_classes=parts.catalogue.field_classes(record["event_type"]),
        )
        routed = route(
            record,
            facts=facts,
            recipients=parts.policy.candidates(facts, deciding),
            state=deciding,
            decide=parts.policy.decide,
            decided_at=datetime.now(UTC),
            policy_version=parts.policy.version,
        )
        key = child_ref.encode()
        for recipient, view in routed.views:
            await self.output(topics.view(recipient)).send(
                key=key, value=parts.codec.encode("DisclosedEvent", view)
            )
        prev = await parts.chain.tail(partition)
        for audit in routed.audits:
            prev = seal(audit, prev)["hash"]
            await self.output(parts.topics.audit).send(
                key=key, value=parts.codec.encode("DisclosureDecided", audit), partition=partition
            )
        parts.chain.advance(partition, prev)
        self._children[child_ref] = _store_state(after, [*recent, event_id])


def build_router_app(
    settings: BusSettings, parts: RouterParts, app_id: str = "joinedup-router"
) -> faust.App:
    """The router app; `parts.policy` is followed by a task started with the app."""
    app = build_faust_app(settings, app_id)
    source = app.topic(
        *parts.topics.sources(parts.policy.agency_ids),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )
    children = app.Table("children", default=dict, partitions=settings.default_partitions)
    stage = RouterStage(app, parts, children)

    async def router(stream: faust.StreamT[bytes]) -> None:
        await parts.policy.ready.wait()
        async for event in stream.events():
            await stage.handle(event)

    async def follow_agreements() -> None:
        await parts.policy.follow()

    app.agent(source, name="router")(router)
    app.task(follow_agreements)
    return app
