"""The gateway's HTTP API: POST events as JSON or NDJSON, resolve identifiers, health."""

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any, Final, Protocol

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from schemas.exceptions import ContractError
from services.gateway.adapters.json_body import (
    DEFAULT_MAX_BODY as DEFAULT_MAX_BODY,  # noqa: PLC0414 - the CLI's default comes from here
)
from services.gateway.adapters.json_body import JsonLimits, read_documents
from services.gateway.exceptions import (
    BatchRejectedError,
    BodyLimitError,
    BodyTooLargeError,
    EventIdConflictError,
    ForbiddenAgencyError,
    MalformedBodyError,
    UnauthenticatedError,
    UnavailableError,
)
from services.gateway.handlers import Ingest, accept_events, resolve_child_ref
from services.observability.http import observe
from services.observability.readiness import Check, Readiness

UNAVAILABLE: Final = 503


class BrokerHealth(Protocol):
    """What /readyz reports: whether the gateway's broker connection is up."""

    @property
    def reachable(self) -> bool:
        """True while the broker answers the gateway's producer."""
        ...

    def unavailable(self, message: str) -> UnavailableError:
        """The 503 error for `message`, with its Retry-After."""
        ...


class AcceptedEvent(BaseModel):
    """Where one event landed."""

    event_id: str
    topic: str
    partition: int
    offset: int
    duplicate: bool = Field(description="True when this agency already stored this event")


class BatchAccepted(BaseModel):
    """The answer to an accepted POST."""

    accepted: int
    duplicates: int
    events: list[AcceptedEvent]


class ChildRefOut(BaseModel):
    """The pseudonymous child reference."""

    child_ref: str


STATUS_OF: Final[dict[type[Exception], int]] = {
    UnauthenticatedError: 401,
    ForbiddenAgencyError: 403,
    MalformedBodyError: 400,
    BodyTooLargeError: 413,
    EventIdConflictError: 409,
    UnavailableError: UNAVAILABLE,
}  # anything else handled here breaks the contract: 422


def _headers(exc: Exception) -> dict[str, str] | None:
    if isinstance(exc, UnauthenticatedError):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, UnavailableError):
        return {"Retry-After": str(exc.retry_after_s)}
    return None


def _problems(exc: Exception) -> list[dict[str, object]] | None:
    if isinstance(exc, BodyLimitError):
        return [{"index": exc.index, "field": "body", "rule": exc.rule}]
    if isinstance(exc, (BatchRejectedError, EventIdConflictError)):
        return exc.problems
    if isinstance(exc, RequestValidationError):
        # The offending input is never echoed: it may be an identifier.
        return [
            {"index": 0, "field": ".".join(map(str, e["loc"][1:])), "rule": e["msg"]}
            for e in exc.errors()
        ]
    return None


def _render(exc: Exception) -> JSONResponse:
    status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 422)
    message = "request rejected" if isinstance(exc, RequestValidationError) else str(exc)
    problems = _problems(exc)
    body: dict[str, Any] = {"error": message}
    if problems is not None:
        body["problems"] = problems
    return JSONResponse(body, status_code=status, headers=_headers(exc))


def install_error_handlers(app: FastAPI) -> None:
    """Map the gateway's errors to clear answers naming the problem (no traceback is logged)."""

    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return _render(exc)

    for kind in (
        UnauthenticatedError,
        ForbiddenAgencyError,
        MalformedBodyError,
        BodyTooLargeError,
        BodyLimitError,
        BatchRejectedError,
        EventIdConflictError,
        UnavailableError,
        RequestValidationError,
        ContractError,
    ):
        app.add_exception_handler(kind, handle)


async def read_body(request: Request, max_body_bytes: int) -> bytes:
    """The request body, refused as soon as it is over `max_body_bytes`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body_bytes:
        raise BodyTooLargeError(f"body: {declared} bytes is over the {max_body_bytes} byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body_bytes:
            raise BodyTooLargeError(f"body: over the {max_body_bytes} byte limit")
    return bytes(body)


def build_routes(
    ingest: Callable[[], Ingest],
    authenticate: Callable[[str | None], str],
    limits: JsonLimits,
) -> APIRouter:
    """Routes bound to the gateway's dependencies."""
    routes = APIRouter(prefix="/v1")

    def agency(authorization: Annotated[str | None, Header()] = None) -> str:
        return authenticate(authorization)

    async def json_documents(request: Request, content_type: str) -> list[Any]:
        """Every route reads JSON here: the body within its size, then within JSON limits."""
        return read_documents(await read_body(request, limits.max_body_bytes), content_type, limits)

    @routes.post(
        "/events",
        status_code=202,
        summary="Publish one event, a JSON array of events, or NDJSON (all or nothing)",
        responses={400: {}, 401: {}, 403: {}, 409: {}, 413: {}, 422: {}, 503: {}},
    )
    async def post_events(
        request: Request, publisher: Annotated[str, Depends(agency)]
    ) -> BatchAccepted:
        documents = await json_documents(request, request.headers.get("content-type", ""))
        accepted = await accept_events(documents, publisher, ingest())
        events = [
            AcceptedEvent(
                event_id=a.receipt.event_id,
                topic=a.receipt.topic,
                partition=a.receipt.partition,
                offset=a.receipt.offset,
                duplicate=a.duplicate,
            )
            for a in accepted
        ]
        duplicates = sum(event.duplicate for event in events)
        return BatchAccepted(
            accepted=len(events) - duplicates, duplicates=duplicates, events=events
        )

    @routes.post(
        "/identity/resolve",
        summary="Turn a child's raw identifiers ({kind, value} or {identifiers: [...]}) "
        "into the child_ref the bus uses",
        responses={400: {}, 401: {}, 413: {}, 422: {}, 503: {}},
    )
    async def resolve(request: Request, publisher: Annotated[str, Depends(agency)]) -> ChildRefOut:
        documents = await json_documents(request, "application/json")
        document = documents[0] if len(documents) == 1 else None
        if not isinstance(document, dict):
            raise MalformedBodyError("body: must be one JSON object")
        identifiers = document.get("identifiers", document)
        return ChildRefOut(child_ref=await resolve_child_ref(identifiers, publisher, ingest()))

    return routes


def _broker_check(health: BrokerHealth | None) -> list[Check]:
    """Readiness from the gateway's own broker watch (no extra client, no extra request)."""
    if health is None:
        return []

    async def probe() -> None:
        if not health.reachable:
            raise health.unavailable("the broker is unreachable")

    return [Check("broker", probe)]


def build_http_app(  # noqa: PLR0913 - each a part the bootstrap builds
    ingest: Callable[[], Ingest],
    authenticate: Callable[[str | None], str],
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    limits: JsonLimits | None = None,
    health: BrokerHealth | None = None,
    *,
    checks: Sequence[Check] = (),
) -> FastAPI:
    """The FastAPI app of the gateway (OpenAPI at /openapi.json, docs at /docs).

    /readyz is 503 while `health` says the broker is away or one of
    `checks` (e.g. the registry) does not answer; /healthz stays 200.
    """
    app = FastAPI(
        title="Joined-up ingest gateway",
        version="1",
        description="Agency systems publish events about children here when they cannot "
        "speak Kafka. Each bearer token publishes as exactly one agency.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(build_routes(ingest, authenticate, limits or JsonLimits()))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        """200 while the gateway answers (liveness); whether it can publish is /readyz."""
        return JSONResponse({"status": "ok"})

    observe(app, "gateway", Readiness([*_broker_check(health), *checks]))
    return app
