"""The gateway's HTTP API: POST events as JSON or NDJSON, resolve identifiers."""

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from schemas.exceptions import ContractError
from services.gateway.exceptions import (
    BatchRejectedError,
    BodyTooLargeError,
    ForbiddenAgencyError,
    MalformedBodyError,
    UnauthenticatedError,
)
from services.gateway.handlers import Ingest, accept_events, resolve_child_ref

NDJSON_TYPES: Final = ("application/x-ndjson", "application/ndjson", "application/jsonl")
DEFAULT_MAX_BODY: Final = 5 * 1024 * 1024


class AcceptedEvent(BaseModel):
    """Where one event landed."""

    event_id: str
    topic: str
    partition: int
    offset: int
    duplicate: bool = Field(description="True when this event_id was already stored")


class BatchAccepted(BaseModel):
    """The answer to an accepted POST."""

    accepted: int
    duplicates: int
    events: list[AcceptedEvent]


class ChildRefOut(BaseModel):
    """The pseudonymous child reference."""

    child_ref: str


def parse_documents(body: bytes, content_type: str) -> list[Any]:
    """One JSON object, a JSON array of objects, or NDJSON (one object per line)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBodyError("body: is not UTF-8 text") from None
    if not text.strip():
        raise MalformedBodyError("body: is empty; send a JSON event, a JSON array or NDJSON")
    try:
        if content_type.split(";", maxsplit=1)[0].strip().lower() in NDJSON_TYPES:
            documents = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            document = json.loads(text)
            documents = document if isinstance(document, list) else [document]
    except json.JSONDecodeError as exc:
        raise MalformedBodyError(
            f"body: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not documents:
        raise MalformedBodyError("body: holds no events")
    return documents


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


STATUS_OF: Final[dict[type[Exception], int]] = {
    UnauthenticatedError: 401,
    ForbiddenAgencyError: 403,
    MalformedBodyError: 400,
    BodyTooLargeError: 413,
}


def _render(exc: Exception) -> JSONResponse:
    for kind, status in STATUS_OF.items():
        if isinstance(exc, kind):
            return _error(status, str(exc))
    if isinstance(exc, BatchRejectedError):
        return _error(422, str(exc), problems=exc.problems)
    if isinstance(exc, RequestValidationError):
        problems = [
            {"index": 0, "field": ".".join(map(str, e["loc"][1:])), "rule": e["msg"]}
            for e in exc.errors()
        ]  # the offending input is never echoed: it may be an identifier
        return _error(422, "request rejected", problems=problems)
    return _error(422, str(exc))


def install_error_handlers(app: FastAPI) -> None:
    """Map the gateway's errors to clear 4xx answers naming the field and the rule."""

    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return _render(exc)

    for kind in (
        UnauthenticatedError,
        ForbiddenAgencyError,
        MalformedBodyError,
        BodyTooLargeError,
        BatchRejectedError,
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
    max_body_bytes: int,
) -> APIRouter:
    """Routes bound to the gateway's dependencies."""
    routes = APIRouter(prefix="/v1")

    def agency(authorization: Annotated[str | None, Header()] = None) -> str:
        return authenticate(authorization)

    @routes.post(
        "/events",
        status_code=202,
        summary="Publish one event, a JSON array of events, or NDJSON (all or nothing)",
        responses={400: {}, 401: {}, 403: {}, 413: {}, 422: {}},
    )
    async def post_events(
        request: Request, publisher: Annotated[str, Depends(agency)]
    ) -> BatchAccepted:
        body = await read_body(request, max_body_bytes)
        documents = parse_documents(body, request.headers.get("content-type", ""))
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
        responses={400: {}, 401: {}, 413: {}, 422: {}},
    )
    async def resolve(request: Request, publisher: Annotated[str, Depends(agency)]) -> ChildRefOut:
        documents = parse_documents(await read_body(request, max_body_bytes), "application/json")
        document = documents[0] if len(documents) == 1 else None
        if not isinstance(document, dict):
            raise MalformedBodyError("body: must be one JSON object")
        identifiers = document.get("identifiers", document)
        return ChildRefOut(child_ref=await resolve_child_ref(identifiers, publisher, ingest()))

    return routes


def build_http_app(
    ingest: Callable[[], Ingest],
    authenticate: Callable[[str | None], str],
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
) -> FastAPI:
    """The FastAPI app of the gateway (OpenAPI at /openapi.json, docs at /docs)."""
    app = FastAPI(
        title="Joined-up ingest gateway",
        version="1",
        description="Agency systems publish events about children here when they cannot "
        "speak Kafka. Each bearer token publishes as exactly one agency.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(build_routes(ingest, authenticate, max_body_bytes))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
