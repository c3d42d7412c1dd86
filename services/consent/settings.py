"""The consent service's settings, read from `JOINEDUP_CONSENT_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsentSettings(BaseSettings):
    """Where `joinedup consent serve` binds, and how long it waits for the bus and database.

    `--host`/`--port` on the command line win over host and port.
    """

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_CONSENT_", frozen=True, extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the consent service binds.")
    port: int = Field(default=8010, description="Port the consent service binds.")
    review_publish_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="Longest wait for the broker to acknowledge an override review; "
        "past it the review is refused with 503 and nothing is recorded.",
    )
    retry_after_s: int = Field(
        default=5, ge=1, description="Seconds a 503 answer of the consent service asks to wait."
    )
    database_pool_size: int = Field(
        default=8, ge=1, description="Most connections held to the audit index's database."
    )
    database_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="Longest wait for a connection to the audit index's database "
        "(at start-up, and per request).",
    )
