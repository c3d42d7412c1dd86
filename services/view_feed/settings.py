"""Settings of the view feed, read from `JOINEDUP_VIEW_FEED_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.bus.settings import BusSettings
from services.config.files import config_file


class ViewFeedSettings(BaseSettings):
    """Where `joinedup view-feed serve` binds, who may read, and how long a page may wait."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_VIEW_FEED_", frozen=True, extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the view feed binds.")
    port: int = Field(default=8030, description="Port the view feed binds.")
    readers_file: Path | None = Field(
        default=None,
        description="Agencies reading their view over HTTP and their token digests (YAML); "
        "unset: view-readers.yaml from JOINEDUP_CONFIG_DIR, else the packaged one.",
    )
    max_wait_s: float = Field(
        default=30.0,
        gt=0,
        le=300,
        description="Longest long-poll a request may ask for (`wait`, seconds).",
    )
    max_page: int = Field(
        default=1000, ge=1, le=10_000, description="Most disclosures one page may hold (`limit`)."
    )
    readers_per_agency: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Kafka consumers kept per agency's view; more requests at once wait a turn.",
    )
    retry_after_s: int = Field(
        default=5, ge=1, description="Seconds a 503 answer asks the client to wait (Retry-After)."
    )

    def readers_path(self, bus: BusSettings) -> Path:
        """The view readers file: `readers_file`, else view-readers.yaml of the configuration."""
        return self.readers_file or config_file(bus, "view-readers.yaml")
