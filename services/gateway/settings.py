"""Where the gateway listens and how it rides out an outage: `JOINEDUP_GATEWAY_*` variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    """Where `joinedup gateway serve` binds (unless given --host/--port), and outage limits."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_GATEWAY_", frozen=True, extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the ingest gateway binds.")
    port: int = Field(default=8000, description="Port the ingest gateway binds.")
    publish_timeout_s: float = Field(
        default=2.0,
        gt=0,
        description="Longest wait for the broker to acknowledge a request's events; after it "
        "the request is answered 503 with Retry-After.",
    )
    probe_interval_s: float = Field(
        default=1.0,
        gt=0,
        description="How often the gateway checks its broker connection (/healthz reports it; "
        "while it is down publishing is refused at once with 503).",
    )
    retry_after_s: int = Field(
        default=5, ge=1, description="Seconds a 503 answer asks the client to wait (Retry-After)."
    )
