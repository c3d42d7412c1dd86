"""The gateway's identity stage: resolve identifiers, keep links on `identity.links`.

Links are written only to the compacted, restricted `identity.links` topic,
keyed by the identifier's keyed hash (its look-up key), so compaction keeps the
latest link per identifier and the key never shows the raw value. On start the
gateway replays the topic into its `IdentityIndex`.

Writes go through the gateway's `BrokerGate` (bounded wait, 503 in an outage).
The index learns a link as it is resolved; a link the broker did not take is
kept and written before any later resolution is answered, so no child_ref is
handed out on the strength of a link that is not on the topic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Final

from schemas.codec import AvroCodec
from schemas.models.common import Source
from services.bus import topics
from services.bus.producer_slot import ProducerSlot
from services.bus.reading import records_to_end
from services.bus.settings import BusSettings
from services.gateway.adapters.broker_gate import BrokerGate
from services.gateway.exceptions import UnavailableError
from services.identity.domain.child_ref import ChildRefKeyring
from services.identity.domain.identifiers import Identifier, parse_identifier
from services.identity.domain.links import IdentityIndex
from services.identity.handlers import IdentityResolver
from services.sdk.deadletters import DeadLetterDecoder

GATEWAY_SYSTEM: Final = "joinedup-gateway"
LINK_METHOD: Final = "supplied by the publishing agency at ingest"


class LinkLog:
    """Writes IdentifierLinked events to `identity.links` and reads them back."""

    def __init__(
        self,
        producer: ProducerSlot,
        codec: AvroCodec,
        keyring: ChildRefKeyring,
        gate: BrokerGate,
        topic: str = topics.IDENTITY_LINKS,
    ) -> None:
        """Write through `producer` (started by the caller) and `gate`, encoded with `codec`."""
        self._producer = producer
        self._codec = codec
        self._keyring = keyring
        self._gate = gate
        self.topic = topic

    def key_of(self, link: dict[str, Any]) -> bytes:
        """The compaction key of a link: the keyed hash of its identifier."""
        identifier = parse_identifier(
            link["identifier_kind"], link["identifier_value"], link.get("issuing_agency")
        )
        return self._keyring.derive(identifier).encode()

    async def write(self, links: Sequence[dict[str, Any]]) -> None:
        """Write `links` and wait (bounded) until the broker has them all; 503 otherwise."""
        with self._gate.registry_calls():
            encoded = [
                (self._codec.encode("IdentifierLinked", link), self.key_of(link)) for link in links
            ]

        async def send() -> list[asyncio.Future[Any]]:
            return [await self._producer.send(self.topic, value, key=key) for value, key in encoded]

        await self._gate.written(send)

    async def replay(
        self, settings: BusSettings, index: IdentityIndex, decoder: DeadLetterDecoder
    ) -> int:
        """Apply every link on the topic to `index`, up to its current end; return how many."""
        applied = 0
        async for record in records_to_end(settings, self.topic):
            link = await decoder.decode(record)
            if link is not None:
                index.apply(link)
                applied += 1
        return applied


class IdentityStage:
    """Resolves one child's identifiers to its child_ref and records new links first."""

    def __init__(self, resolver: IdentityResolver, links: LinkLog) -> None:
        """Resolve with `resolver` (keyring and index); record links in `links`."""
        self._resolver = resolver
        self._links = links
        self._unwritten: list[dict[str, Any]] = []

    async def _write(self, links: list[dict[str, Any]]) -> None:
        try:
            await self._links.write(links)
        except UnavailableError:
            self._unwritten = links + self._unwritten
            raise

    async def resolve(self, identifiers: Sequence[tuple[str, str]], agency: str) -> str:
        """The child_ref of `identifiers`; raise `IdentityError` naming field and rule."""
        parsed: list[Identifier] = [
            parse_identifier(kind, value, agency) for kind, value in identifiers
        ]
        if self._unwritten:
            earlier, self._unwritten = self._unwritten, []
            await self._write(earlier)
        resolution = self._resolver.resolve(
            parsed,
            source=Source(agency=agency, system=GATEWAY_SYSTEM, practitioner_role=None),
            method=LINK_METHOD,
        )
        if resolution.links:
            await self._write(list(resolution.links))
        return resolution.child_ref
