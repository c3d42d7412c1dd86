"""Settings of the thresholds worker, read from `JOINEDUP_THRESHOLDS_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ThresholdsSettings(BaseSettings):
    """Which rules the thresholds worker applies beyond the defaults."""

    model_config = SettingsConfigDict(
        env_prefix="JOINEDUP_THRESHOLDS_", frozen=True, extra="ignore", env_ignore_empty=True
    )

    config: Path | None = Field(
        default=None,
        description="An LA's override of the default threshold rules (YAML); "
        "`--rules-override` wins.",
    )
