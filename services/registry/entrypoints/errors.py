"""Confluent's response shapes: its content type, and errors as {"error_code", "message"}."""

from __future__ import annotations

from typing import Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from services.registry.exceptions import RegistryError

CONTENT_TYPE: Final = "application/vnd.schemaregistry.v1+json"


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
