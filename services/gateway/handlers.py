"""Use cases of the gateway: accept a batch of JSON events from one agency, resolve identifiers."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from schemas.exceptions import ContractError, EventValidationError
from services.gateway.domain.idempotency import SeenEvents
from services.gateway.exceptions import BatchRejectedError, ForbiddenAgencyError
from services.identity.exceptions import IdentityError, InvalidIdentifierError
from services.sdk.exceptions import WrongAgencyError
from services.sdk.publisher import Prepared, Publisher, Receipt

Problem = dict[str, object]


class EventParser(Protocol):
    """Turns a JSON object into an Avro-ready record (ISO dates to date/datetime...)."""

    def __call__(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """Return the record or raise `EventValidationError` naming the field and the rule."""
        ...


class ChildRefResolver(Protocol):
    """Turns one child's raw identifiers into its child_ref (raw identifiers stop here)."""

    async def resolve(self, identifiers: Sequence[tuple[str, str]], agency: str) -> str:
        """Return the child_ref or raise `IdentityError` naming the field and the rule."""
        ...


@dataclass(frozen=True, slots=True)
class Accepted:
    """One accepted event: where it landed and whether it was a repeat."""

    receipt: Receipt
    duplicate: bool


@dataclass
class Ingest:
    """What accepting events needs, injected by the bootstrap."""

    publishers: Mapping[str, Publisher]
    parse: EventParser
    identity: ChildRefResolver
    seen: SeenEvents[Receipt]
    # Held from the duplicate check until the receipts are remembered, so the
    # same event posted twice at once is still stored once.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def identifier_pairs(value: Any) -> list[tuple[str, str]]:
    """`identifier` as given in an event or a request: one {kind, value} object or a list."""
    items = value if isinstance(value, list) else [value]
    pairs = []
    for item in items:
        if (
            not isinstance(item, Mapping)
            or not isinstance(item.get("kind"), str)
            or not isinstance(item.get("value"), str)
        ):
            raise EventValidationError(
                "identifier", "must be an object {kind, value} (strings) or a list of them"
            )
        pairs.append((item["kind"], item["value"]))
    if not pairs:
        raise EventValidationError("identifier", "needs at least one {kind, value}")
    return pairs


async def resolve_identifier(
    document: Mapping[str, Any], agency: str, identity: ChildRefResolver
) -> dict[str, Any]:
    """The event with its `identifier` replaced by the child_ref it resolves to."""
    event = dict(document)
    if "identifier" not in event:
        return event
    identifier = event.pop("identifier")
    if event.get("child_ref"):
        raise EventValidationError("identifier", "give either child_ref or identifier, not both")
    event["child_ref"] = await identity.resolve(identifier_pairs(identifier), agency)
    return event


def check_publisher(document: Mapping[str, Any], agency: str, index: int) -> None:
    """Refuse an event whose source.agency is not the token's agency (403, not 422)."""
    source = document.get("source")
    claimed = source.get("agency") if isinstance(source, Mapping) else None
    if claimed is not None and claimed != agency:
        msg = f"event {index}: source.agency {claimed!r} is not the agency of this token"
        raise ForbiddenAgencyError(msg)


def problem(index: int, exc: Exception) -> Problem:
    """One rejected event: its index in the batch, the field and the rule it broke."""
    if isinstance(exc, (EventValidationError, WrongAgencyError)):
        return {"index": index, "field": exc.field, "rule": exc.rule}
    if isinstance(exc, InvalidIdentifierError):
        return {"index": index, "field": f"identifier.{exc.field}", "rule": exc.rule}
    return {"index": index, "field": None, "rule": str(exc)}


async def _prepare(
    documents: Sequence[Any], agency: str, ingest: Ingest
) -> list[Prepared | Receipt]:
    """Each event validated and encoded, or the receipt of its earlier copy."""
    publisher = ingest.publishers[agency]
    prepared: list[Prepared | Receipt] = []
    problems: list[Problem] = []
    for index, document in enumerate(documents):
        try:
            if not isinstance(document, Mapping):
                raise EventValidationError("(event)", "must be a JSON object")
            check_publisher(document, agency, index)
            record = ingest.parse(await resolve_identifier(document, agency, ingest.identity))
            earlier = ingest.seen.get(str(record["event_id"]))
            prepared.append(earlier or publisher.prepare(record))
        except (ContractError, WrongAgencyError, IdentityError) as exc:
            problems.append(problem(index, exc))
    if problems:
        raise BatchRejectedError(problems)
    return prepared


async def accept_events(documents: Sequence[Any], agency: str, ingest: Ingest) -> list[Accepted]:
    """Validate every event, then publish the new ones, all or nothing, in order.

    Raises `BatchRejectedError` listing each bad event (index, field, rule) when
    any event is bad; then nothing of the batch is published. An event whose
    event_id was already stored (earlier, or earlier in this batch) is not
    stored again: its accepted entry says `duplicate` and points at the first copy.
    """
    async with ingest.lock:
        prepared = await _prepare(documents, agency, ingest)
        fresh: dict[str, Prepared] = {}
        for item in prepared:
            if not isinstance(item, Receipt):
                fresh.setdefault(str(item[0]["event_id"]), item)
        sent = {
            receipt.event_id: receipt
            for receipt in await ingest.publishers[agency].send_many(list(fresh.values()))
        }
        for receipt in sent.values():
            ingest.seen.remember(receipt.event_id, receipt)
    accepted: list[Accepted] = []
    reported: set[str] = set()
    for item in prepared:
        if isinstance(item, Receipt):
            accepted.append(Accepted(item, duplicate=True))
            continue
        event_id = str(item[0]["event_id"])
        accepted.append(Accepted(sent[event_id], duplicate=event_id in reported))
        reported.add(event_id)
    return accepted


async def resolve_child_ref(identifier: Any, agency: str, ingest: Ingest) -> str:
    """The child_ref of one child's identifiers ({kind, value} or a list of them)."""
    try:
        return await ingest.identity.resolve(identifier_pairs(identifier), agency)
    except (EventValidationError, IdentityError) as exc:
        raise BatchRejectedError([problem(0, exc)], "identifier rejected") from None
