"""Where the gateway listens, read from `JOINEDUP_GATEWAY_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    """The address `joinedup gateway serve` binds unless given `--host`/`--port`."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_GATEWAY_", frozen=True, extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the ingest gateway binds.")
    port: int = Field(default=8000, description="Port the ingest gateway binds.")
