"""Use case of the view feed: read one page of the caller's own view from a cursor."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka.errors import KafkaError

from schemas.codec import AvroCodec
from schemas.exceptions import ContractError
from services.sdk.disclosure import Disclosure, view_disclosure
from services.sdk.exceptions import NotADisclosureError
from services.view_feed.adapters.view_reader import RawPage, ViewReaderPool
from services.view_feed.domain.cursor import read_cursor
from services.view_feed.domain.readers import ViewReaders
from services.view_feed.exceptions import ViewUnavailableError

log = structlog.get_logger("joinedup.view_feed")


@dataclass(frozen=True)
class Undecodable:
    """A record of the view that is not a readable DisclosedEvent: where it is, and why."""

    partition: int
    offset: int
    reason: str


@dataclass(frozen=True)
class Page:
    """One answer: disclosures in order per partition, what could not be read, the next cursor."""

    agency: str
    disclosures: list[Disclosure]
    undecodable: list[Undecodable]
    next_cursor: str

    def as_json(self) -> dict[str, Any]:
        """The page as the HTTP API answers it."""
        return {
            "agency": self.agency,
            "disclosures": [d.as_json() for d in self.disclosures],
            "undecodable": [
                {"partition": u.partition, "offset": u.offset, "reason": u.reason}
                for u in self.undecodable
            ],
            "next_cursor": self.next_cursor,
        }


@dataclass(frozen=True)
class ViewFeedContext:
    """What the use case works with."""

    readers: ViewReaders
    pool: ViewReaderPool
    codec: AvroCodec
    retry_after_s: int
    timeout_s: float  # beyond the long-poll: how long Kafka may take to answer


@dataclass(frozen=True)
class PageRequest:
    """What a client asks for: whose view, from which cursor, how much, how long to wait."""

    agency: str
    cursor: str | None
    limit: int
    wait_s: float


def _disclosure(codec: AvroCodec, agency: str, record: Any) -> Disclosure:
    if record.value is None:
        raise NotADisclosureError("record", "has no value")
    decoded = codec.decode(record.value)
    written_as = codec.event_type_of(record.value)
    return view_disclosure(written_as, decoded, record.partition, record.offset, agency)


def decode_page(
    codec: AvroCodec, agency: str, raw: RawPage
) -> tuple[list[Disclosure], list[Undecodable]]:
    """The disclosures of a raw page; a record that is not one is named, never dropped."""
    disclosures: list[Disclosure] = []
    undecodable: list[Undecodable] = []
    for record in raw.records:
        try:
            disclosures.append(_disclosure(codec, agency, record))
        except (ContractError, NotADisclosureError) as exc:
            undecodable.append(Undecodable(record.partition, record.offset, str(exc)))
            log.warning("view record undecodable", topic=record.topic, offset=record.offset)
    return disclosures, undecodable


async def read_view_page(ctx: ViewFeedContext, caller: str, request: PageRequest) -> Page:
    """Up to `limit` disclosures of the view after the cursor, waiting up to `wait_s` for any."""
    agency = request.agency
    ctx.readers.authorize(caller, agency)
    cursor = read_cursor(request.cursor, agency)
    try:
        async with (
            asyncio.timeout(request.wait_s + ctx.timeout_s),
            ctx.pool.reader(agency) as reader,
        ):
            raw = await reader.read(cursor, request.limit, request.wait_s)
    except (KafkaError, TimeoutError, LookupError) as exc:
        log.warning("view unreadable", agency=agency, error=type(exc).__name__)
        raise ViewUnavailableError(
            f"the view of {agency} cannot be read now; try again", ctx.retry_after_s
        ) from exc
    disclosures, undecodable = decode_page(ctx.codec, agency, raw)
    return Page(agency, disclosures, undecodable, cursor.moved_to(raw.positions).encode())
