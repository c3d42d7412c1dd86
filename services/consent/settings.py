"""Where the consent service listens, read from `JOINEDUP_CONSENT_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsentSettings(BaseSettings):
    """The address `joinedup consent serve` binds unless given `--host`/`--port`."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_CONSENT_", frozen=True, extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the consent service binds.")
    port: int = Field(default=8010, description="Port the consent service binds.")
