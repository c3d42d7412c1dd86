"""A client for any Confluent-compatible schema registry (ours, Confluent, Karapace, Apicurio).

`RegistryClient` (blocking) is the codec's `SchemaSource`; `AsyncRegistryClient`
serves async callers. Ids are immutable, so schemas by id and ids by
(subject, schema) are cached for the client's life. A short timeout makes a
wrong URL fail in seconds, with an error naming the URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final, Literal, Self
from urllib.parse import quote

import httpx

from schemas.registry_errors import (
    RegistryIncompatibleSchemaError,
    RegistryInvalidSchemaError,
    RegistryRequestError,
    RegistrySchemaIdNotFoundError,
    RegistrySchemaNotFoundError,
    RegistrySubjectNotFoundError,
    RegistryUnreachableError,
    RegistryVersionNotFoundError,
)

CONTENT_TYPE: Final = "application/vnd.schemaregistry.v1+json"
HEADERS: Final = {
    "Accept": f"{CONTENT_TYPE}, application/vnd.schemaregistry+json, application/json",
    "Content-Type": CONTENT_TYPE,
}
DEFAULT_TIMEOUT_S: Final = 5.0
Version = int | Literal["latest"]

_ERRORS: Final[dict[int, type[RegistryRequestError]]] = {
    40401: RegistrySubjectNotFoundError,
    40402: RegistryVersionNotFoundError,
    40403: RegistrySchemaNotFoundError,
    42201: RegistryInvalidSchemaError,
    409: RegistryIncompatibleSchemaError,
}


@dataclass(frozen=True, slots=True)
class RegisteredSchema:
    """A schema as registered: subject, version, global id and text."""

    subject: str
    version: int
    schema_id: int
    schema: str

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> RegisteredSchema:
        """Read the registry's `{"subject", "version", "id", "schema"}`."""
        return cls(str(body["subject"]), int(body["version"]), int(body["id"]), str(body["schema"]))


@dataclass(frozen=True, slots=True)
class _Call:
    method: str
    path: str
    body: dict[str, Any] | None = None


def _subject(subject: str) -> str:
    return quote(subject, safe="")


def _register(subject: str, schema: str) -> _Call:
    return _Call("POST", f"/subjects/{_subject(subject)}/versions", {"schema": schema})


def _by_id(schema_id: int) -> _Call:
    return _Call("GET", f"/schemas/ids/{schema_id}")


def _version(subject: str, version: Version) -> _Call:
    return _Call("GET", f"/subjects/{_subject(subject)}/versions/{version}")


def _compatibility(subject: str, schema: str, version: Version | None) -> _Call:
    path = f"/compatibility/subjects/{_subject(subject)}/versions"
    return _Call("POST", path if version is None else f"{path}/{version}", {"schema": schema})


def _lookup(subject: str, schema: str) -> _Call:
    return _Call("POST", f"/subjects/{_subject(subject)}", {"schema": schema})


def _answer(url: str, response: httpx.Response, *, schema_id: int | None = None) -> Any:
    """The JSON of a success, or the error the registry's answer means."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success:
        return body
    code, message = response.status_code, response.text[:200]
    if isinstance(body, dict):
        code = int(body.get("error_code", code))
        message = str(body.get("message", message))
    error = _ERRORS.get(code, RegistryRequestError)
    if schema_id is not None and code == 40403:
        failure = RegistrySchemaIdNotFoundError(url, response.status_code, code, message)
        failure.schema_id = schema_id
        raise failure
    raise error(url, response.status_code, code, message)


def _unreachable(url: str, exc: httpx.TransportError) -> RegistryUnreachableError:
    return RegistryUnreachableError(
        f"no schema registry answered at {url} ({type(exc).__name__}: {exc}); "
        "check JOINEDUP_REGISTRY_URL or run `joinedup registry serve`"
    )


class RegistryClient:
    """Blocking client; implements `schemas.schema_source.SchemaSource`."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Talk to the registry at `url` (e.g. http://127.0.0.1:18081); connect lazily."""
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url, timeout=timeout_s, headers={**HEADERS, **(headers or {})}
        )
        self._schemas: dict[int, str] = {}
        self._ids: dict[tuple[str, str], int] = {}

    def __enter__(self) -> Self:
        """Use as a context manager that closes the connection pool."""
        return self

    def __exit__(self, *_: object) -> None:
        """Close the connection pool."""
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _send(self, call: _Call, *, schema_id: int | None = None) -> Any:
        content = None if call.body is None else json.dumps(call.body)
        try:
            response = self._http.request(call.method, call.path, content=content)
        except httpx.TransportError as exc:
            raise _unreachable(self.url, exc) from exc
        return _answer(self.url, response, schema_id=schema_id)

    def register(self, subject: str, schema: str) -> int:
        """Register `schema` under `subject` (no-op if there already); return its global id."""
        cached = self._ids.get((subject, schema))
        if cached is None:
            cached = int(self._send(_register(subject, schema))["id"])
            self._ids[subject, schema] = cached
            self._schemas.setdefault(cached, schema)
        return cached

    def id_for(self, subject: str, schema: str) -> int:
        """The id of `schema` under `subject`, registering it if needed (`SchemaSource`)."""
        return self.register(subject, schema)

    def schema_by_id(self, schema_id: int) -> str:
        """The schema text of `schema_id`; raise `RegistrySchemaIdNotFoundError` if unknown."""
        cached = self._schemas.get(schema_id)
        if cached is None:
            cached = str(self._send(_by_id(schema_id), schema_id=schema_id)["schema"])
            self._schemas[schema_id] = cached
        return cached

    def version(self, subject: str, version: Version) -> RegisteredSchema:
        """One version of `subject` (not cached: `latest` moves)."""
        return RegisteredSchema.from_json(self._send(_version(subject, version)))

    def latest(self, subject: str) -> RegisteredSchema:
        """The newest live version of `subject`."""
        return self.version(subject, "latest")

    def lookup(self, subject: str, schema: str) -> RegisteredSchema:
        """The version of `subject` holding `schema`, without registering it."""
        return RegisteredSchema.from_json(self._send(_lookup(subject, schema)))

    def check_compatibility(
        self, subject: str, schema: str, version: Version | None = "latest"
    ) -> bool:
        """Whether `schema` may follow `version` of `subject` (None: all, per its level)."""
        return bool(self._send(_compatibility(subject, schema, version))["is_compatible"])

    def subjects(self) -> list[str]:
        """Every subject with a live version."""
        return [str(subject) for subject in self._send(_Call("GET", "/subjects"))]


class AsyncRegistryClient:
    """Non-blocking client with the same answers and errors as `RegistryClient`."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Talk to the registry at `url`; connect lazily."""
        self.url = url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.url, timeout=timeout_s, headers={**HEADERS, **(headers or {})}
        )
        self._schemas: dict[int, str] = {}
        self._ids: dict[tuple[str, str], int] = {}

    async def __aenter__(self) -> Self:
        """Use as a context manager that closes the connection pool."""
        return self

    async def __aexit__(self, *_: object) -> None:
        """Close the connection pool."""
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _send(self, call: _Call, *, schema_id: int | None = None) -> Any:
        content = None if call.body is None else json.dumps(call.body)
        try:
            response = await self._http.request(call.method, call.path, content=content)
        except httpx.TransportError as exc:
            raise _unreachable(self.url, exc) from exc
        return _answer(self.url, response, schema_id=schema_id)

    async def register(self, subject: str, schema: str) -> int:
        """Register `schema` under `subject` (no-op if there already); return its global id."""
        cached = self._ids.get((subject, schema))
        if cached is None:
            cached = int((await self._send(_register(subject, schema)))["id"])
            self._ids[subject, schema] = cached
            self._schemas.setdefault(cached, schema)
        return cached

    async def schema_by_id(self, schema_id: int) -> str:
        """The schema text of `schema_id`; raise `RegistrySchemaIdNotFoundError` if unknown."""
        cached = self._schemas.get(schema_id)
        if cached is None:
            cached = str((await self._send(_by_id(schema_id), schema_id=schema_id))["schema"])
            self._schemas[schema_id] = cached
        return cached

    async def latest(self, subject: str) -> RegisteredSchema:
        """The newest live version of `subject`."""
        return RegisteredSchema.from_json(await self._send(_version(subject, "latest")))

    async def check_compatibility(
        self, subject: str, schema: str, version: Version | None = "latest"
    ) -> bool:
        """Whether `schema` may follow `version` of `subject` (None: all, per its level)."""
        answer = await self._send(_compatibility(subject, schema, version))
        return bool(answer["is_compatible"])
