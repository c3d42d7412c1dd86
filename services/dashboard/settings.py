"""Settings of the operations dashboard, read from `JOINEDUP_DASHBOARD_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DASHBOARD_IN_REPOSITORY: Final = Path("deploy", "grafana", "dashboards", "joinedup.json")


def project_root() -> Path:
    """The source tree this package was loaded from (the repository when installed editable)."""
    return Path(__file__).resolve().parents[2]


class DashboardSettings(BaseSettings):
    """Where `joinedup dashboard serve` binds, the Prometheus it asks, the dashboard it draws."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_DASHBOARD_", frozen=True, extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the dashboard page binds.")
    port: int = Field(default=8040, description="Port the dashboard page binds.")
    prometheus_url: str = Field(
        default="http://127.0.0.1:9090",
        description="Prometheus whose HTTP API the dashboard's queries are sent to.",
    )
    dashboard_file: Path | None = Field(
        default=None,
        description="Grafana dashboard JSON to draw; unset: deploy/grafana/dashboards/"
        "joinedup.json of the installed source tree, else of the current directory.",
    )
    scrape_interval_s: int = Field(
        default=15,
        ge=1,
        le=3600,
        description="Scrape interval `$__rate_interval` assumes (Grafana's default, 15 s).",
    )
    max_series: int = Field(
        default=8, ge=1, le=50, description="Most series one panel draws (the highest peaks)."
    )
    query_timeout_s: float = Field(
        default=10.0, gt=0, le=120, description="Seconds one Prometheus query may take."
    )

    def dashboard_path(self, working_directory: Path | None = None) -> Path:
        """The dashboard JSON: `dashboard_file`, else the source tree's, else the directory's."""
        if self.dashboard_file is not None:
            return self.dashboard_file
        installed = project_root() / DASHBOARD_IN_REPOSITORY
        if installed.is_file():
            return installed
        return (working_directory or Path.cwd()) / DASHBOARD_IN_REPOSITORY
