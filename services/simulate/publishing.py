"""Where simulated agencies publish: the SDK straight to Kafka (default), or the HTTP gateway.

Through the SDK an agency first resolves each child's identifiers with the
gateway's identity endpoint (`IdentityClient`, cached per agency), then
publishes records with `Publisher` on one shared idempotent producer. Through
the gateway it posts NDJSON batches with the identifiers in each event, and
the gateway resolves them. Either way an agency's events go out in order;
different agencies publish at the same time.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Final, Protocol, Self

import httpx

from schemas.codec import AvroCodec
from schemas.schema_source import SchemaSource
from services.bus.kafka import build_producer
from services.bus.settings import BusSettings
from services.sdk.identity import IdentityClient
from services.sdk.publisher import Publisher
from services.sdk.retrying import RetrySettings, post_retrying
from services.simulate.authority import Pupil
from services.simulate.events import SimEvent, identifiers_of
from services.simulate.exceptions import SimulationError

BATCH: Final = 500
RESOLVING_AT_ONCE: Final = 32
# Batches in the producer at once: a whole authority's first wave (every pupil joining
# every school's roll) would otherwise wait longer for buffer space than a request may.
BATCHES_AT_ONCE: Final = 4
PRODUCE_TIMEOUT_MS: Final = 60_000
NDJSON: Final = "application/x-ndjson"
# A whole authority's first resolution keeps the gateway busy for minutes: ride out its
# 503s (a broker slow to take identity links) longer than an agency's default would.
PATIENT_ATTEMPTS: Final = 30


def patient() -> RetrySettings:
    """Retry settings for the simulated agencies: 30 tries, the SDK's waits otherwise."""
    return RetrySettings(retry_attempts=PATIENT_ATTEMPTS)


class Sink(Protocol):
    """Publishes a wave of events (each agency's in order)."""

    async def prepare(self, events: Sequence[SimEvent]) -> None:
        """Do what must come before publishing `events` (resolve identifiers)."""
        ...

    async def send(self, events: Sequence[SimEvent]) -> None:
        """Publish `events`; raise SimulationError when the bus refuses one."""
        ...


def by_agency(events: Sequence[SimEvent]) -> dict[str, list[SimEvent]]:
    """The events of each agency, in order."""
    grouped: dict[str, list[SimEvent]] = {}
    for event in events:
        grouped.setdefault(event.agency, []).append(event)
    return grouped


class SdkSink:
    """Each agency resolves identifiers with the gateway and publishes with the SDK."""

    def __init__(  # noqa: PLR0913 - where to publish and resolve, for whom, and progress
        self,
        settings: BusSettings,
        schemas: SchemaSource,
        gateway: str,
        pupils: list[Pupil],
        token_of: Callable[[str], str],
        *,
        on_resolved: Callable[[], None] = lambda: None,
    ) -> None:
        """Publish to the settings' cluster; resolve identifiers at `gateway`.

        `on_resolved` is called as each child's identifiers are resolved (progress).
        """
        self._producer = build_producer(settings, request_timeout_ms=PRODUCE_TIMEOUT_MS)
        self._codec = AvroCodec(schemas)
        self._http = httpx.AsyncClient(base_url=gateway, timeout=60.0)
        self._gateway, self._pupils, self._token_of = gateway, pupils, token_of
        self._publishers: dict[str, Publisher] = {}
        self._identities: dict[str, IdentityClient] = {}
        self._refs: dict[tuple[str, int], str] = {}
        self._resolving = asyncio.Semaphore(RESOLVING_AT_ONCE)
        self._batches = asyncio.Semaphore(BATCHES_AT_ONCE)
        self._on_resolved = on_resolved
        self._retry = patient()

    async def __aenter__(self) -> Self:
        """Start the producer."""
        await self._producer.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Flush and stop the producer; close the HTTP client."""
        await self._producer.stop()
        await self._http.aclose()

    def _identity(self, agency: str) -> IdentityClient:
        if agency not in self._identities:
            self._identities[agency] = IdentityClient(
                self._gateway,
                self._token_of(agency),
                agency=agency,
                client=self._http,
                retry=self._retry,
            )
        return self._identities[agency]

    async def _resolve(self, agency: str, kind: str, pupil: int) -> None:
        found = identifiers_of(self._pupils[pupil], school=kind == "school")
        async with self._resolving:
            ref = await self._identity(agency).child_ref_of(
                [(i["kind"], i["value"]) for i in found]
            )
        self._refs[agency, pupil] = ref
        self._on_resolved()

    async def prepare(self, events: Sequence[SimEvent]) -> None:
        """Resolve the children each agency does not know the child_ref of yet."""
        unknown = {
            (e.agency, e.kind, e.pupil) for e in events if (e.agency, e.pupil) not in self._refs
        }
        await asyncio.gather(*(self._resolve(*key) for key in sorted(unknown)))

    async def send(self, events: Sequence[SimEvent]) -> None:
        """Publish every event (its child resolved by `prepare`)."""
        await asyncio.gather(*(self._publish(a, es) for a, es in by_agency(events).items()))

    async def _publish(self, agency: str, events: list[SimEvent]) -> None:
        publisher = self._publishers.get(agency)
        if publisher is None:
            publisher = self._publishers[agency] = Publisher(agency, self._producer, self._codec)
        for start in range(0, len(events), BATCH):
            prepared = [
                publisher.prepare(e.record(self._refs[agency, e.pupil]))
                for e in events[start : start + BATCH]
            ]
            async with self._batches:
                await publisher.send_many(prepared)


class GatewaySink:
    """Each agency posts its events to the gateway as NDJSON, identifiers in each event."""

    def __init__(self, gateway: str, pupils: list[Pupil], token_of: Callable[[str], str]) -> None:
        """Post to `gateway` with each agency's token."""
        self._http = httpx.AsyncClient(base_url=gateway, timeout=120.0)
        self._pupils, self._token_of = pupils, token_of
        self._retry = patient()
        self._batches = asyncio.Semaphore(BATCHES_AT_ONCE)

    async def __aenter__(self) -> Self:
        """Nothing to start."""
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the HTTP client."""
        await self._http.aclose()

    async def prepare(self, events: Sequence[SimEvent]) -> None:
        """Nothing: the gateway resolves identifiers as it takes the events."""

    async def send(self, events: Sequence[SimEvent]) -> None:
        """Post every agency's events, the agencies at the same time."""
        await asyncio.gather(*(self._post(a, es) for a, es in by_agency(events).items()))

    async def _post(self, agency: str, events: list[SimEvent]) -> None:
        headers = {"Authorization": f"Bearer {self._token_of(agency)}", "Content-Type": NDJSON}
        for start in range(0, len(events), BATCH):
            batch = events[start : start + BATCH]
            body = "\n".join(json.dumps(e.document(self._pupils[e.pupil])) for e in batch)
            async with self._batches:
                answer = await post_retrying(
                    self._http, "/v1/events", self._retry, content=body, headers=headers
                )
            if answer.status_code != httpx.codes.ACCEPTED:
                refusal = f"{answer.status_code} {answer.text[:500]}"
                raise SimulationError(f"the gateway refused {agency}'s events: {refusal}")
