"""What each schema registry operation asks, and what the registry's answer means; no I/O.

`RegistryRequests` turns an operation such as `register(subject, schema)` into
a `Known` answer from its cache or a `Request`: method, path, JSON body and
how to read the answer. `interpret` turns an HTTP status and body into the
JSON of a success or the error the registry means. The blocking and the async
client in `schemas.registry_client` only send requests and hand back answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, TypeVar
from urllib.parse import quote

from schemas.registry_errors import (
    RegistryIncompatibleSchemaError,
    RegistryInvalidSchemaError,
    RegistryRequestError,
    RegistrySchemaIdNotFoundError,
    RegistrySchemaNotFoundError,
    RegistrySubjectNotFoundError,
    RegistryVersionNotFoundError,
)

T = TypeVar("T")
Version = int | Literal["latest"]

SCHEMA_NOT_FOUND: Final = 40403
_ERRORS: Final[dict[int, type[RegistryRequestError]]] = {
    40401: RegistrySubjectNotFoundError,
    40402: RegistryVersionNotFoundError,
    SCHEMA_NOT_FOUND: RegistrySchemaNotFoundError,
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


def interpret(url: str, status: int, text: str, *, schema_id: int | None = None) -> Any:
    """The JSON of a success, or raise the error the registry at `url` answered.

    The registry's `error_code` and `message` win over the HTTP status and text;
    a 40403 when asking for `schema_id` means that id is unknown.
    """
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if 200 <= status < 300:
        return body
    code, message = status, text[:200]
    if isinstance(body, dict):
        code = int(body.get("error_code", code))
        message = str(body.get("message", message))
    if schema_id is not None and code == SCHEMA_NOT_FOUND:
        failure = RegistrySchemaIdNotFoundError(url, status, code, message)
        failure.schema_id = schema_id
        raise failure
    raise _ERRORS.get(code, RegistryRequestError)(url, status, code, message)


@dataclass(frozen=True, slots=True)
class Known(Generic[T]):
    """An answer already known (cached): nothing needs sending."""

    value: T


@dataclass(frozen=True, slots=True)
class Request(Generic[T]):
    """One HTTP request to the registry, and how to read the JSON of its success."""

    method: str
    path: str
    read: Callable[[Any], T]
    body: dict[str, Any] | None = None
    schema_id: int | None = None  # set when asking for a schema by id

    @property
    def content(self) -> str | None:
        """The body as JSON text; None when the request has no body."""
        return None if self.body is None else json.dumps(self.body)

    def answer(self, url: str, status: int, text: str) -> T:
        """What the registry's answer (`status`, body `text`) means for this request."""
        return self.read(interpret(url, status, text, schema_id=self.schema_id))


Step = Known[T] | Request[T]


def _subject(subject: str) -> str:
    return quote(subject, safe="")


def _is_compatible(body: Any) -> bool:
    return bool(body["is_compatible"])


def _subjects(body: Any) -> list[str]:
    return [str(subject) for subject in body]


class RegistryRequests:
    """The request of each client operation; ids and schemas by id are cached (immutable)."""

    def __init__(self) -> None:
        """Start with empty caches."""
        self._schemas: dict[int, str] = {}
        self._ids: dict[tuple[str, str], int] = {}

    def register(self, subject: str, schema: str) -> Step[int]:
        """Register `schema` under `subject` (no-op if there already); answer its global id."""
        cached = self._ids.get((subject, schema))
        if cached is not None:
            return Known(cached)

        def read(body: Any) -> int:
            schema_id = int(body["id"])
            self._ids[subject, schema] = schema_id
            self._schemas.setdefault(schema_id, schema)
            return schema_id

        path = f"/subjects/{_subject(subject)}/versions"
        return Request("POST", path, read, {"schema": schema})

    def schema_by_id(self, schema_id: int) -> Step[str]:
        """The schema text of `schema_id`."""
        cached = self._schemas.get(schema_id)
        if cached is not None:
            return Known(cached)

        def read(body: Any) -> str:
            schema = self._schemas[schema_id] = str(body["schema"])
            return schema

        return Request("GET", f"/schemas/ids/{schema_id}", read, schema_id=schema_id)

    def version(self, subject: str, version: Version) -> Request[RegisteredSchema]:
        """One version of `subject` (never cached: `latest` moves)."""
        path = f"/subjects/{_subject(subject)}/versions/{version}"
        return Request("GET", path, RegisteredSchema.from_json)

    def lookup(self, subject: str, schema: str) -> Request[RegisteredSchema]:
        """The version of `subject` holding `schema`, without registering it."""
        path = f"/subjects/{_subject(subject)}"
        return Request("POST", path, RegisteredSchema.from_json, {"schema": schema})

    def check_compatibility(
        self, subject: str, schema: str, version: Version | None
    ) -> Request[bool]:
        """Whether `schema` may follow `version` of `subject` (None: all, per its level)."""
        path = f"/compatibility/subjects/{_subject(subject)}/versions"
        if version is not None:
            path = f"{path}/{version}"
        return Request("POST", path, _is_compatible, {"schema": schema})

    def subjects(self) -> Request[list[str]]:
        """Every subject with a live version."""
        return Request("GET", "/subjects", _subjects)
