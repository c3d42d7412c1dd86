"""Confluent's response shapes: its content type, and errors as {"error_code", "message"}."""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from services.registry.exceptions import RegistryError

CONTENT_TYPE: Final = "application/vnd.schemaregistry.v1+json"


class ErrorBody(BaseModel):
    """Every error, in Confluent's shape."""

    error_code: int
    message: str


# The errors every route may answer, for the OpenAPI document (Confluent's error codes
# refine the status: 40401 no subject, 40402 no version, 40403 no schema, 42201 invalid
# schema, 42202 invalid version, 50002 the store timed out).
ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    400: {"model": ErrorBody, "description": "the body is not JSON, or is over 1 MiB"},
    404: {"model": ErrorBody, "description": "no such subject, version or schema"},
    409: {"model": ErrorBody, "description": "the schema is incompatible with earlier versions"},
    422: {"model": ErrorBody, "description": "an invalid schema, version or compatibility level"},
    500: {"model": ErrorBody, "description": "the write was not read back from the topic in time"},
}


class RegistryResponse(JSONResponse):
    """JSON in Confluent Schema Registry's content type."""

    media_type = CONTENT_TYPE


def error_response(status: int, error_code: int, message: str) -> RegistryResponse:
    """An error in Confluent's shape."""
    return RegistryResponse({"error_code": error_code, "message": message}, status_code=status)


async def _registry_error(_request: Request, exc: Exception) -> RegistryResponse:
    assert isinstance(exc, RegistryError)  # noqa: S101 - registered for RegistryError only
    return error_response(exc.status, exc.error_code, str(exc))


async def _http_error(_request: Request, exc: Exception) -> RegistryResponse:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    return error_response(exc.status_code, exc.status_code, f"HTTP {exc.status_code} {exc.detail}")


async def _validation_error(_request: Request, exc: Exception) -> RegistryResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for it only
    where = "; ".join(
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
    )
    return error_response(422, 422, f"Unprocessable request: {where}")


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error in Confluent's shape, never FastAPI's default `detail`."""
    app.add_exception_handler(RegistryError, _registry_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
