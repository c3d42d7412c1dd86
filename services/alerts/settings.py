"""Settings of the alerts service, read from `JOINEDUP_ALERTS_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.alerts.exceptions import AlertsConfigError
from services.bus import topics
from services.bus.settings import BusSettings
from services.config.files import config_file

WEBHOOK_PLACEHOLDER = "development-only-webhook-secret-not-a-secret"
WEBHOOK_DEADLETTER_SOURCE = "alerts-webhook"


class AlertsSettings(BaseSettings):
    """How the alerts service is bound, who signs in, and where webhooks go."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_ALERTS_", frozen=True, extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address the alerts service binds.")
    port: int = Field(default=8020, description="Port the alerts service binds.")
    users_file: Path | None = Field(
        default=None,
        description="Duty users, roles and token digests (YAML); "
        "unset: duty-users.yaml from JOINEDUP_CONFIG_DIR, else the packaged one.",
    )
    webhooks_file: Path | None = Field(
        default=None,
        description="Webhook receivers of alerts per agency (YAML); "
        "unset: webhooks.yaml from JOINEDUP_CONFIG_DIR, else the packaged one.",
    )
    view_webhooks_file: Path | None = Field(
        default=None,
        description="Webhook subscriptions of agencies' systems to disclosed events by event type "
        "(YAML); unset: view-webhooks.yaml from JOINEDUP_CONFIG_DIR, else the packaged one.",
    )
    webhook_secret: SecretStr = Field(
        default=SecretStr(WEBHOOK_PLACEHOLDER), description="HMAC key signing webhook deliveries."
    )
    webhook_max_attempts: int = Field(
        default=5, ge=1, description="Deliveries tried before a webhook is dead-lettered."
    )
    webhook_base_delay_s: float = Field(
        default=0.5, description="First retry delay of a webhook (doubles per attempt)."
    )
    webhook_max_delay_s: float = Field(
        default=30.0, description="Longest delay between webhook retries."
    )
    webhook_timeout_s: float = Field(default=5.0, description="Timeout of one webhook delivery.")
    webhook_group: str = Field(
        default="joinedup-alerts-webhooks", description="Consumer group of the webhook relay."
    )
    webhook_replay_group: str = Field(
        default="joinedup-alerts-webhook-replay",
        description="Consumer group of `joinedup alerts webhooks replay` over the dead letters.",
    )
    acknowledged_topic: str = Field(
        default=topics.ALERTS_ACKNOWLEDGED, description="Topic of alert acknowledgements."
    )
    session_hours: float = Field(default=12.0, description="Lifetime of a web sign-in.")
    secure_cookies: bool = Field(
        default=False, description="Send session cookies over HTTPS only (required in production)."
    )
    partnership_agency: str = Field(
        default="safeguarding-partnership",
        pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
        description="Agency whose view feeds the /partnership aggregates (docs/referrals.md).",
    )
    partnership_minimum_cell: int = Field(
        default=5,
        ge=1,
        description="Small-number suppression: no count under this is shown on /partnership.",
    )
    publisher_agency: str = Field(
        default="joinedup-alerts",
        pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
        description="Bus agency (kind bus, agencies.yaml) whose ingest topic carries what duty "
        "users raise on the duty page (professional disagreements), as their own agency's.",
    )
    agencies_file: Path | None = Field(
        default=None,
        description="The agency directory, for referrer kinds on /partnership; "
        "unset: agencies.yaml from JOINEDUP_CONFIG_DIR, else the packaged one.",
    )

    def check_for(self, bus: BusSettings) -> AlertsSettings:
        """Refuse the placeholder webhook secret and plain-HTTP cookies in production."""
        if bus.mode == "production":
            if self.webhook_secret.get_secret_value() == WEBHOOK_PLACEHOLDER:
                raise AlertsConfigError(
                    "JOINEDUP_ALERTS_WEBHOOK_SECRET must be set to a real secret in production"
                )
            if not self.secure_cookies:
                raise AlertsConfigError(
                    "JOINEDUP_ALERTS_SECURE_COOKIES must be true in production (HTTPS only)"
                )
        return self

    def duty_users_path(self, bus: BusSettings) -> Path:
        """The duty users file: `users_file`, else duty-users.yaml of the configuration."""
        return self.users_file or config_file(bus, "duty-users.yaml")

    def webhooks_path(self, bus: BusSettings) -> Path:
        """The webhook receivers file: `webhooks_file`, else webhooks.yaml of the configuration."""
        return self.webhooks_file or config_file(bus, "webhooks.yaml")

    def view_webhooks_path(self, bus: BusSettings) -> Path:
        """The disclosure subscriptions file: `view_webhooks_file`, else view-webhooks.yaml."""
        return self.view_webhooks_file or config_file(bus, "view-webhooks.yaml")

    def agencies_path(self, bus: BusSettings) -> Path:
        """The agency directory: `agencies_file`, else agencies.yaml of the configuration."""
        return self.agencies_file or config_file(bus, "agencies.yaml")

    @property
    def deadletter_topic(self) -> str:
        """Where undeliverable webhooks go, with the reason in headers."""
        return topics.deadletter(WEBHOOK_DEADLETTER_SOURCE)
