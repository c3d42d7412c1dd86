"""The gateway's identity stage: resolve identifiers, keep links on `identity.links`.

Links are written only to the compacted, restricted `identity.links` topic,
keyed by the identifier's keyed hash (its look-up key), so compaction keeps the
latest link per identifier and the key never shows the raw value. On start the
gateway replays the topic into its `IdentityIndex`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from schemas.codec import AvroCodec
from schemas.models.common import Source
from services.bus import topics
from services.bus.reading import records_to_end
from services.bus.settings import BusSettings
from services.gateway.exceptions import GatewayError
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
        producer: AIOKafkaProducer,
        codec: AvroCodec,
        keyring: ChildRefKeyring,
        topic: str = topics.IDENTITY_LINKS,
    ) -> None:
        """Write through `producer` (started by the caller), Avro-encoded with `codec`."""
        self._producer = producer
        self._codec = codec
        self._keyring = keyring
        self.topic = topic

    def key_of(self, link: dict[str, Any]) -> bytes:
        """The compaction key of a link: the keyed hash of its identifier."""
        identifier = parse_identifier(
            link["identifier_kind"], link["identifier_value"], link.get("issuing_agency")
        )
        return self._keyring.derive(identifier).encode()

    async def write(self, links: Sequence[dict[str, Any]]) -> None:
        """Write `links` and wait until the broker has them all."""
        try:
            pending = [
                await self._producer.send(
                    self.topic, self._codec.encode("IdentifierLinked", link), key=self.key_of(link)
                )
                for link in links
            ]
            for future in pending:
                await future
        except KafkaError as exc:
            raise GatewayError(f"identity links were not written: {exc}") from exc

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

    async def resolve(self, identifiers: Sequence[tuple[str, str]], agency: str) -> str:
        """The child_ref of `identifiers`; raise `IdentityError` naming field and rule."""
        parsed: list[Identifier] = [
            parse_identifier(kind, value, agency) for kind, value in identifiers
        ]
        resolution = self._resolver.resolve(
            parsed,
            source=Source(agency=agency, system=GATEWAY_SYSTEM, practitioner_role=None),
            method=LINK_METHOD,
        )
        if resolution.links:
            await self._links.write(resolution.links)
        return resolution.child_ref
