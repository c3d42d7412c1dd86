"""A client for any Confluent-compatible schema registry (ours, Confluent, Karapace, Apicurio).

`RegistryClient` (blocking) is the codec's `SchemaSource`; `AsyncRegistryClient`
serves async callers. Both are thin transports over `schemas.registry_requests`,
which says what each operation asks, what the answer means and what is cached
(ids are immutable: schemas by id and ids by (subject, schema), for the
client's life). A short timeout makes a wrong URL fail in seconds, with an
error naming the URL.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Final, Generic, Self, TypeVar

import httpx

from schemas.registry_errors import RegistryUnreachableError
from schemas.registry_requests import Known, RegisteredSchema, RegistryRequests, Step, Version

__all__ = [
    "CONTENT_TYPE",
    "DEFAULT_TIMEOUT_S",
    "HEADERS",
    "AsyncRegistryClient",
    "RegisteredSchema",
    "RegistryClient",
    "Version",
]

T = TypeVar("T")
P = TypeVar("P", httpx.Client, httpx.AsyncClient)

CONTENT_TYPE: Final = "application/vnd.schemaregistry.v1+json"
HEADERS: Final = {
    "Accept": f"{CONTENT_TYPE}, application/vnd.schemaregistry+json, application/json",
    "Content-Type": CONTENT_TYPE,
}
DEFAULT_TIMEOUT_S: Final = 5.0


@contextlib.contextmanager
def _reaching(url: str) -> Iterator[None]:
    """Turn a transport failure into `RegistryUnreachableError`, naming `url`."""
    try:
        yield
    except httpx.TransportError as exc:
        raise RegistryUnreachableError(
            f"no schema registry answered at {url} ({type(exc).__name__}: {exc}); "
            "check JOINEDUP_REGISTRY_URL or run `joinedup registry serve`"
        ) from exc


class _Transport(ABC, Generic[P]):
    """What both clients hold: the registry's URL, a connection pool, the requests layer."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Talk to the registry at `url` (e.g. http://127.0.0.1:18081); connect lazily."""
        self.url = url.rstrip("/")
        self._http: P = self._pool(timeout_s, {**HEADERS, **(headers or {})})
        self._requests = RegistryRequests()

    @abstractmethod
    def _pool(self, timeout_s: float, headers: dict[str, str]) -> P:
        """The httpx connection pool, blocking or async, for `self.url`."""


class RegistryClient(_Transport[httpx.Client]):
    """Blocking client; implements `schemas.schema_source.SchemaSource`."""

    def _pool(self, timeout_s: float, headers: dict[str, str]) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout_s, headers=headers)

    def __enter__(self) -> Self:
        """Use as a context manager that closes the connection pool."""
        return self

    def __exit__(self, *_: object) -> None:
        """Close the connection pool."""
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _run(self, step: Step[T]) -> T:
        if isinstance(step, Known):
            return step.value
        with _reaching(self.url):
            response = self._http.request(step.method, step.path, content=step.content)
        return step.answer(self.url, response.status_code, response.text)

    def register(self, subject: str, schema: str) -> int:
        """Register `schema` under `subject` (no-op if there already); return its global id."""
        return self._run(self._requests.register(subject, schema))

    def id_for(self, subject: str, schema: str) -> int:
        """The id of `schema` under `subject`, registering it if needed (`SchemaSource`)."""
        return self.register(subject, schema)

    def schema_by_id(self, schema_id: int) -> str:
        """The schema text of `schema_id`; raise `RegistrySchemaIdNotFoundError` if unknown."""
        return self._run(self._requests.schema_by_id(schema_id))

    def version(self, subject: str, version: Version) -> RegisteredSchema:
        """One version of `subject` (not cached: `latest` moves)."""
        return self._run(self._requests.version(subject, version))

    def latest(self, subject: str) -> RegisteredSchema:
        """The newest live version of `subject`."""
        return self.version(subject, "latest")

    def lookup(self, subject: str, schema: str) -> RegisteredSchema:
        """The version of `subject` holding `schema`, without registering it."""
        return self._run(self._requests.lookup(subject, schema))

    def check_compatibility(
        self, subject: str, schema: str, version: Version | None = "latest"
    ) -> bool:
        """Whether `schema` may follow `version` of `subject` (None: all, per its level)."""
        return self._run(self._requests.check_compatibility(subject, schema, version))

    def subjects(self) -> list[str]:
        """Every subject with a live version."""
        return self._run(self._requests.subjects())


class AsyncRegistryClient(_Transport[httpx.AsyncClient]):
    """Non-blocking client with the same answers and errors as `RegistryClient`."""

    def _pool(self, timeout_s: float, headers: dict[str, str]) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=timeout_s, headers=headers)

    async def __aenter__(self) -> Self:
        """Use as a context manager that closes the connection pool."""
        return self

    async def __aexit__(self, *_: object) -> None:
        """Close the connection pool."""
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _run(self, step: Step[T]) -> T:
        if isinstance(step, Known):
            return step.value
        with _reaching(self.url):
            response = await self._http.request(step.method, step.path, content=step.content)
        return step.answer(self.url, response.status_code, response.text)

    async def register(self, subject: str, schema: str) -> int:
        """Register `schema` under `subject` (no-op if there already); return its global id."""
        return await self._run(self._requests.register(subject, schema))

    async def schema_by_id(self, schema_id: int) -> str:
        """The schema text of `schema_id`; raise `RegistrySchemaIdNotFoundError` if unknown."""
        return await self._run(self._requests.schema_by_id(schema_id))

    async def latest(self, subject: str) -> RegisteredSchema:
        """The newest live version of `subject`."""
        return await self._run(self._requests.version(subject, "latest"))

    async def check_compatibility(
        self, subject: str, schema: str, version: Version | None = "latest"
    ) -> bool:
        """Whether `schema` may follow `version` of `subject` (None: all, per its level)."""
        return await self._run(self._requests.check_compatibility(subject, schema, version))
