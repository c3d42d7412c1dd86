"""Errors as clear 4xx answers: {"error", "field", "rule"}; input is never echoed back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from consent.exceptions import ConsentError, FhirMappingError, UnknownCodeError
from consent.fhir import FhirImportError
from services.audit.exceptions import AuditError, AuditIndexUnavailableError, AuditQueryError
from services.consent.exceptions import (
    ConsentServiceError,
    InvalidRequestError,
    UnavailableError,
)

_SECTIONS = frozenset({"body", "query", "path", "header"})
INDEX_RETRY_AFTER_S = 5  # what a 503 for an unanswering audit database asks clients to wait


def _field(location: Sequence[int | str]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in _SECTIONS:
        parts = parts[1:]
    return ".".join(parts) or "(request)"


def error_body(
    status: int, field: str, rule: str, *, retry_after_s: int | None = None, **extra: Any
) -> JSONResponse:
    """The JSON error answer; 401s carry the bearer challenge, 503s may say when to retry."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if retry_after_s is not None:
        headers["Retry-After"] = str(retry_after_s)
    return JSONResponse(
        {"error": f"{field}: {rule}", "field": field, "rule": rule, **extra},
        status_code=status,
        headers=headers,
    )


def _validation(errors: Sequence[Any]) -> JSONResponse:
    problems = [{"field": _field(e["loc"]), "rule": e["msg"]} for e in errors]
    first = problems[0] if problems else {"field": "(request)", "rule": "invalid"}
    return error_body(422, first["field"], first["rule"], problems=problems)


def _fhir(exc: FhirMappingError) -> JSONResponse:
    """Every problem of an imported document, the first one up front."""
    if isinstance(exc, FhirImportError):
        problems = [{"field": p.path, "rule": p.rule} for p in exc.problems]
    else:
        field, _, rule = str(exc).partition(": ")
        problems = [{"field": field if rule else "resource", "rule": rule or str(exc)}]
    first = problems[0] if problems else {"field": "resource", "rule": "invalid"}
    return error_body(422, first["field"], first["rule"], problems=problems)


def _from_audit(exc: Exception) -> Exception:
    """An audit query's broken rule as a 422, its unanswering database as a 503."""
    if isinstance(exc, AuditQueryError):
        return InvalidRequestError(exc.field, exc.rule)
    if isinstance(exc, AuditIndexUnavailableError):
        return UnavailableError("database", str(exc), INDEX_RETRY_AFTER_S)
    return exc


def render(exc: Exception) -> JSONResponse:
    """The answer for an error raised while handling a request."""
    exc = _from_audit(exc)
    if isinstance(exc, ConsentServiceError):
        return error_body(exc.status, exc.field, exc.rule, retry_after_s=exc.retry_after_s)
    if isinstance(exc, RequestValidationError):
        return _validation(exc.errors())
    if isinstance(exc, ValidationError):
        return _validation(exc.errors(include_url=False, include_input=False))
    if isinstance(exc, FhirMappingError):
        return _fhir(exc)
    if isinstance(exc, UnknownCodeError):
        return error_body(422, "code", str(exc))
    return error_body(409, "(state)", str(exc))


def install_error_handlers(app: FastAPI) -> None:
    """Route the service's errors through `render`."""

    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return render(exc)

    for kind in (RequestValidationError, ValidationError, ConsentError, AuditError):
        app.add_exception_handler(kind, handle)
