"""Use cases of the gateway: accept a batch of JSON events from one agency, resolve identifiers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from schemas.agency_fields import AgencyField
from schemas.exceptions import ContractError, EventValidationError
from services.gateway.domain.idempotency import SeenEvents, Stored, body_digest
from services.gateway.exceptions import (
    BatchRejectedError,
    EventIdConflictError,
    ForbiddenAgencyError,
)
from services.identity.exceptions import IdentityError, InvalidIdentifierError
from services.observability.metrics import metrics
from services.sdk.exceptions import WrongAgencyError
from services.sdk.publisher import Prepared, Publisher, Receipt

Problem = dict[str, object]
# Under the producer's largest request (aiokafka's max_request_size, 1 MiB) with
# room for the record batch around it: a bigger event is the client's to split.
MAX_EVENT_BYTES: Final = 1_000_000

GATEWAY_APP: Final = "joinedup-gateway"  # the app label of the events the gateway writes


class EventParser(Protocol):
    """Turns a JSON object into an Avro-ready record (ISO dates to date/datetime...)."""

    def __call__(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """Return the record or raise `EventValidationError` naming the field and the rule."""
        ...

    def agency_fields(self, document: Mapping[str, Any]) -> Sequence[AgencyField]:
        """The fields naming an agency in the document's event type (none if it has no type)."""
        ...


class ChildRefResolver(Protocol):
    """Turns one child's raw identifiers into its child_ref (raw identifiers stop here)."""

    async def resolve(self, identifiers: Sequence[tuple[str, str]], agency: str) -> str:
        """Return the child_ref or raise `IdentityError` naming the field and the rule."""
        ...


class BusWrites(Protocol):
    """Writes to the broker that wait a bounded time, and the state of the bus's services."""

    def registry_calls(self) -> AbstractContextManager[None]:
        """Turn an unreachable schema registry into `UnavailableError` (503)."""
        ...

    async def written(
        self,
        send: Callable[[], Awaitable[Sequence[asyncio.Future[Any]]]],
        late: Callable[[list[Any]], None] | None = None,
    ) -> list[Any]:
        """Run `send`, then wait (bounded) for the broker; raise `UnavailableError` (503)."""
        ...


@dataclass(frozen=True, slots=True)
class Accepted:
    """One accepted event: where it landed and whether it was a repeat."""

    receipt: Receipt
    duplicate: bool


@dataclass(frozen=True, slots=True, eq=False)
class Checked:
    """One event of a batch, validated and encoded, with the digest of its body."""

    event_id: str
    prepared: Prepared
    digest: bytes


@dataclass
class Ingest:
    """What accepting events needs, injected by the bootstrap."""

    publishers: Mapping[str, Publisher]
    parse: EventParser
    identity: ChildRefResolver
    seen: SeenEvents[Receipt]
    bus: BusWrites
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


def check_publisher(
    document: Mapping[str, Any],
    agency: str,
    index: int,
    agency_fields: Sequence[AgencyField] = (),
) -> None:
    """Refuse (403, not 422) an event speaking for another agency than the token's.

    Its source.agency, and every field that must name the publishing agency
    (`x-agency: publisher`, e.g. AttendanceMarked.school), must be the token's agency.
    """
    source = document.get("source")
    claimed = source.get("agency") if isinstance(source, Mapping) else None
    if claimed is not None and claimed != agency:
        msg = f"event {index}: source.agency {claimed!r} is not the agency of this token"
        raise ForbiddenAgencyError(msg)
    for named_field in agency_fields:
        if named_field.role != "publisher":
            continue
        for named in named_field.agencies_in(document):
            if named != agency:
                msg = (
                    f"event {index}: {named_field.name} {named!r} is not the agency of this "
                    "token; it must be the publishing agency"
                )
                raise ForbiddenAgencyError(msg)


def problem(index: int, exc: Exception) -> Problem:
    """One rejected event: its index in the batch, the field and the rule it broke."""
    if isinstance(exc, (EventValidationError, WrongAgencyError)):
        return {"index": index, "field": exc.field, "rule": exc.rule}
    if isinstance(exc, InvalidIdentifierError):
        return {"index": index, "field": f"identifier.{exc.field}", "rule": exc.rule}
    return {"index": index, "field": None, "rule": str(exc)}


async def _check(document: Any, index: int, agency: str, ingest: Ingest) -> Checked:
    if not isinstance(document, Mapping):
        raise EventValidationError("(event)", "must be a JSON object")
    check_publisher(document, agency, index, ingest.parse.agency_fields(document))
    record = ingest.parse(await resolve_identifier(document, agency, ingest.identity))
    publisher = ingest.publishers[agency]
    with ingest.bus.registry_calls():
        if publisher.asks_registry(record):  # a blocking look-up: off the event loop
            prepared = await asyncio.to_thread(publisher.prepare, record)
        else:
            prepared = publisher.prepare(record)
    if len(prepared[1]) > MAX_EVENT_BYTES:
        raise EventValidationError(
            "(event)", f"is {len(prepared[1])} bytes encoded; an event may be {MAX_EVENT_BYTES}"
        )
    return Checked(str(record["event_id"]), prepared, body_digest(prepared[1]))


async def _check_all(documents: Sequence[Any], agency: str, ingest: Ingest) -> list[Checked]:
    """Every event validated and encoded; `BatchRejectedError` listing each bad one."""
    checked: list[Checked] = []
    problems: list[Problem] = []
    for index, document in enumerate(documents):
        try:
            checked.append(await _check(document, index, agency, ingest))
        except (ContractError, WrongAgencyError, IdentityError) as exc:
            problems.append(problem(index, exc))
    if problems:
        raise BatchRejectedError(problems)
    return checked


def _plan(
    checked: list[Checked], agency: str, seen: SeenEvents[Receipt]
) -> list[Checked | Receipt]:
    """Each event to send, or the receipt of its stored copy; refuse ids reused for other bodies."""
    first: dict[str, Checked] = {}
    plan: list[Checked | Receipt] = []
    conflicts: list[tuple[int, str]] = []
    for index, item in enumerate(checked):
        stored = seen.get(agency, item.event_id)
        earlier = stored.digest if stored else getattr(first.get(item.event_id), "digest", None)
        if earlier is not None and earlier != item.digest:
            conflicts.append((index, item.event_id))
        elif stored is not None:
            plan.append(stored.receipt)
        else:
            plan.append(first.setdefault(item.event_id, item))
    if conflicts:
        raise EventIdConflictError(conflicts)
    return plan


async def _send(fresh: list[Checked], agency: str, ingest: Ingest) -> dict[str, Receipt]:
    """Publish the new events (bounded wait); remember each as stored, even when late."""
    if not fresh:
        return {}
    publisher = ingest.publishers[agency]
    prepared = [item.prepared for item in fresh]

    def remember(landed: list[Any]) -> None:
        for item, receipt in zip(fresh, publisher.receipts(prepared, landed), strict=True):
            ingest.seen.remember(agency, item.event_id, Stored(receipt, item.digest))

    landed = await ingest.bus.written(lambda: publisher.enqueue(prepared), remember)
    remember(landed)
    receipts = publisher.receipts(prepared, landed)
    produced = metrics().produced
    for receipt in receipts:
        produced.labels(GATEWAY_APP, receipt.topic).inc()
    return {receipt.event_id: receipt for receipt in receipts}


async def accept_events(documents: Sequence[Any], agency: str, ingest: Ingest) -> list[Accepted]:
    """Validate every event, then publish the new ones, all or nothing, in order.

    Raises `BatchRejectedError` listing each bad event (index, field, rule)
    when any event is bad, `EventIdConflictError` when the agency reused an
    event id for another body, `UnavailableError` when the broker does not
    take the events in time; then nothing of the batch is acknowledged. An
    event this agency already stored under its event_id (earlier, or earlier
    in this batch) with the same body is not stored again: its accepted entry
    says `duplicate` and points at the first copy. Event ids are per agency:
    another agency's event with the same id is another event.
    """
    async with ingest.lock:
        plan = _plan(await _check_all(documents, agency, ingest), agency, ingest.seen)
        fresh = dict.fromkeys(item for item in plan if isinstance(item, Checked))
        sent = await _send(list(fresh), agency, ingest)
    accepted: list[Accepted] = []
    reported: set[str] = set()
    for item in plan:
        if isinstance(item, Receipt):
            accepted.append(Accepted(item, duplicate=True))
            continue
        accepted.append(Accepted(sent[item.event_id], duplicate=item.event_id in reported))
        reported.add(item.event_id)
    return accepted


async def resolve_child_ref(identifier: Any, agency: str, ingest: Ingest) -> str:
    """The child_ref of one child's identifiers ({kind, value} or a list of them)."""
    try:
        return await ingest.identity.resolve(identifier_pairs(identifier), agency)
    except (EventValidationError, IdentityError) as exc:
        raise BatchRejectedError([problem(0, exc)], "identifier rejected") from None
