"""Where the workers serve their probes and metrics, from `JOINEDUP_*_PROBE_*` variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProbeSettings(BaseSettings):
    """The HTTP port of each stream worker: /metrics, /healthz and /readyz.

    The HTTP services serve the same paths on their own ports. A worker
    given an instance slot by `claim_instance` (no --instance) adds the slot
    number to its port, so workers of one app id on one host do not clash.
    """

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_", frozen=True, extra="ignore")

    probe_host: str = Field(
        default="127.0.0.1",
        description="Address the workers' probe and metrics ports bind (0.0.0.0 in a pod).",
    )
    router_probe_port: int = Field(
        default=9410, ge=0, le=65535, description="Router worker's metrics and probes; 0: none."
    )
    thresholds_probe_port: int = Field(
        default=9420,
        ge=0,
        le=65535,
        description="Thresholds worker's metrics and probes; 0: none.",
    )
    indexer_probe_port: int = Field(
        default=9430, ge=0, le=65535, description="Audit indexer's metrics and probes; 0: none."
    )
    worker_stall_s: float = Field(
        default=300.0,
        gt=0,
        description="A worker whose loop has not turned for this long answers /healthz with 503.",
    )
