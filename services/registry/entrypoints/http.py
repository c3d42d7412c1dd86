"""The Confluent Schema Registry REST subset that clients use, over a `SchemaRegistry`.

Routes only translate: path, query and body in; a handler or a state query;
Confluent's JSON out. Query parameters this registry has no use for
(`normalize`, `format`, `subject` on id lookups) are accepted and ignored.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.registry.domain.model import SCHEMA_TYPES, SchemaVersion, compatibility_level
from services.registry.domain.state import Latest
from services.registry.entrypoints.errors import CONTENT_TYPE, ERRORS
from services.registry.exceptions import (
    InvalidSchemaError,
    InvalidVersionError,
    UnreadableRequestError,
    UnsupportedOperationError,
)
from services.registry.handlers import SchemaRegistry

_MAX_VERSION: Final = 2**31 - 1


class SchemaRequest(BaseModel):
    """Body of register, lookup and compatibility requests."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    schema_text: str = Field(alias="schema")
    schema_type: str | None = Field(default=None, alias="schemaType")
    references: list[Any] = Field(default_factory=list)


class LevelRequest(BaseModel):
    """Body of a config update."""

    model_config = ConfigDict(extra="ignore")

    compatibility: str


MAX_BODY_BYTES = 1_048_576  # a schema is kilobytes; a record over 1 MB is refused by Kafka


async def _body(request: Request) -> Any:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise UnreadableRequestError(f"request body is over {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body)
    except RecursionError:
        raise UnreadableRequestError("request body nests JSON too deeply") from None
    except ValueError as exc:
        raise UnreadableRequestError(f"request body is not JSON ({exc})") from exc


async def _schema_request(request: Request) -> SchemaRequest:
    try:
        body = SchemaRequest.model_validate(await _body(request))
    except ValidationError as exc:
        raise InvalidSchemaError("Invalid schema: the body needs a string field 'schema'") from exc
    if body.references:
        raise InvalidSchemaError("Invalid schema: schema references are not supported")
    return body


def _version(text: str) -> int | Latest:
    if text in {"latest", "-1"}:
        return "latest"
    if text.isascii() and text.isdigit() and 1 <= int(text) <= _MAX_VERSION:
        return int(text)
    raise InvalidVersionError(text)


def _described(found: SchemaVersion) -> dict[str, Any]:
    return {
        "subject": found.subject,
        "version": found.version,
        "id": found.schema_id,
        "schema": found.schema,
    }


def build_router(registry: SchemaRegistry) -> APIRouter:  # noqa: C901 - one route each
    """The REST routes over `registry`."""
    router = APIRouter(responses=ERRORS)
    state = registry.state

    @router.get("/")
    async def root() -> dict[str, Any]:
        return {}

    @router.get("/schemas/types")
    async def schema_types() -> list[str]:
        return list(SCHEMA_TYPES)

    @router.get("/schemas/ids/{schema_id}")
    async def schema_by_id(schema_id: int) -> dict[str, Any]:
        return {"schema": state.schema(schema_id)}

    @router.get("/schemas/ids/{schema_id}/versions")
    async def schema_usages(schema_id: int, *, deleted: bool = False) -> list[dict[str, Any]]:
        return [
            {"subject": v.subject, "version": v.version}
            for v in state.usages(schema_id, deleted=deleted)
        ]

    @router.get("/schemas/ids/{schema_id}/subjects")
    async def schema_subjects(schema_id: int, *, deleted: bool = False) -> list[str]:
        return sorted({v.subject for v in state.usages(schema_id, deleted=deleted)})

    @router.get("/subjects")
    async def subjects(*, deleted: bool = False) -> list[str]:
        return state.subjects(deleted=deleted)

    @router.get("/subjects/{subject}/versions")
    async def versions(subject: str, *, deleted: bool = False) -> list[int]:
        return [v.version for v in state.versions(subject, deleted=deleted)]

    @router.get("/subjects/{subject}/versions/{version}")
    async def version(subject: str, version: str, *, deleted: bool = False) -> dict[str, Any]:
        return _described(state.version(subject, _version(version), deleted=deleted))

    @router.get("/subjects/{subject}/versions/{version}/schema")
    async def version_schema(subject: str, version: str) -> Response:
        found = state.version(subject, _version(version))
        return Response(found.schema, media_type=CONTENT_TYPE)

    @router.post("/subjects/{subject}/versions")
    async def register(subject: str, request: Request) -> dict[str, Any]:
        body = await _schema_request(request)
        schema_id = await registry.register_schema(subject, body.schema_text, body.schema_type)
        return {"id": schema_id}

    @router.post("/subjects/{subject}")
    async def lookup(subject: str, request: Request, *, deleted: bool = False) -> dict[str, Any]:
        body = await _schema_request(request)
        return _described(state.lookup(subject, body.schema_text, deleted=deleted))

    @router.delete("/subjects/{subject}")
    async def delete_subject(subject: str, *, permanent: bool = False) -> list[int]:
        _refuse_permanent(permanent=permanent)
        return await registry.delete_subject(subject)

    @router.delete("/subjects/{subject}/versions/{version}")
    async def delete_version(subject: str, version: str, *, permanent: bool = False) -> int:
        _refuse_permanent(permanent=permanent)
        return await registry.delete_version(subject, _version(version))

    @router.get("/config")
    async def global_level() -> dict[str, Any]:
        return {"compatibilityLevel": state.level()}

    @router.put("/config")
    async def set_global_level(request: Request) -> dict[str, Any]:
        level = compatibility_level(await _level_body(request))
        await registry.set_level(None, level)
        return {"compatibility": level}

    @router.get("/config/{subject}")
    async def subject_level(
        subject: str,
        *,
        default_to_global: Annotated[bool, Query(alias="defaultToGlobal")] = False,
    ) -> dict[str, Any]:
        level = state.level(subject) if default_to_global else state.subject_level(subject)
        return {"compatibilityLevel": level}

    @router.put("/config/{subject}")
    async def set_subject_level(subject: str, request: Request) -> dict[str, Any]:
        level = compatibility_level(await _level_body(request))
        await registry.set_level(subject, level)
        return {"compatibility": level}

    @router.delete("/config/{subject}")
    async def delete_subject_level(subject: str) -> dict[str, Any]:
        return {"compatibilityLevel": await registry.delete_level(subject)}

    @router.post("/compatibility/subjects/{subject}/versions/{version}")
    async def check_version(
        subject: str,
        version: str,
        request: Request,
        *,
        verbose: bool = False,
    ) -> dict[str, Any]:
        body = await _schema_request(request)
        found = registry.check_compatibility(
            subject, body.schema_text, _version(version), body.schema_type
        )
        return _verdict(found, verbose=verbose)

    @router.post("/compatibility/subjects/{subject}/versions")
    async def check_all(subject: str, request: Request, *, verbose: bool = False) -> dict[str, Any]:
        body = await _schema_request(request)
        found = registry.check_compatibility(subject, body.schema_text, None, body.schema_type)
        return _verdict(found, verbose=verbose)

    return router


async def _level_body(request: Request) -> str:
    try:
        return LevelRequest.model_validate(await _body(request)).compatibility
    except ValidationError as exc:
        raise UnreadableRequestError("the body needs a string field 'compatibility'") from exc


def _refuse_permanent(*, permanent: bool) -> None:
    if permanent:
        raise UnsupportedOperationError(
            "permanent deletes are not supported: schema ids must never be reused"
        )


def _verdict(problems: list[str], *, verbose: bool) -> dict[str, Any]:
    verdict: dict[str, Any] = {"is_compatible": not problems}
    if verbose:
        verdict["messages"] = problems
    return verdict
