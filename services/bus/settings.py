"""Settings for every part of the bus, read from `JOINEDUP_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.bus.exceptions import SettingsError

Mode = Literal["development", "production"]
ProcessingGuarantee = Literal["at-least-once", "exactly-once"]

DEVELOPMENT_PLACEHOLDER = "development-only-placeholder-not-a-secret-key"

LOCAL_BROKER_PORT = 19092


def _default_home() -> Path:
    return Path.home() / ".cache" / "joinedup"


class BusSettings(BaseSettings):
    """Where the bus is and how it behaves; frozen once read."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_", frozen=True, extra="ignore")

    mode: Mode = "development"
    bootstrap_servers: str | None = Field(
        default=None,
        description="An existing Kafka cluster; unset means the local broker on 127.0.0.1.",
    )
    home: Path = Field(default_factory=_default_home, description="Cache of jars and local state.")
    broker_data_dir: Path | None = Field(default=None, description="Local broker's log dirs.")
    broker_port: int = LOCAL_BROKER_PORT
    broker_heap: str = "512m"
    registry_url: str = "http://127.0.0.1:18081"
    child_ref_key: SecretStr = SecretStr(DEVELOPMENT_PLACEHOLDER)
    processing_guarantee: ProcessingGuarantee = "at-least-once"
    connect_timeout_s: float = 8.0
    replication_factor: int = 1
    default_partitions: int = 3
    rdkafka_debug: str | None = Field(
        default=None, description="librdkafka debug contexts for the processors (e.g. eos,cgrp)."
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> BusSettings:
        if self.mode == "production" and (
            self.child_ref_key.get_secret_value() == DEVELOPMENT_PLACEHOLDER
        ):
            msg = "JOINEDUP_CHILD_REF_KEY must be set to a real secret in production mode"
            raise SettingsError(msg)
        return self

    @property
    def uses_local_broker(self) -> bool:
        """True when no external cluster is configured."""
        return self.bootstrap_servers is None

    @property
    def bootstrap(self) -> str:
        """The bootstrap address every client connects to."""
        return self.bootstrap_servers or f"127.0.0.1:{self.broker_port}"

    @property
    def data_dir(self) -> Path:
        """The local broker's data directory."""
        return self.broker_data_dir or self.home / "broker-data"
