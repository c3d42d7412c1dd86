"""Settings of the alerts service, read from `JOINEDUP_ALERTS_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.alerts.exceptions import AlertsConfigError
from services.bus import topics
from services.bus.settings import BusSettings

CONFIG_DIR = Path(__file__).resolve().parents[2] / "deploy" / "config"
DEFAULT_USERS_FILE = CONFIG_DIR / "duty-users.yaml"
DEFAULT_WEBHOOKS_FILE = Path(__file__).resolve().parent / "config" / "webhooks.yaml"
WEBHOOK_PLACEHOLDER = "development-only-webhook-secret-not-a-secret"
WEBHOOK_DEADLETTER_SOURCE = "alerts-webhook"


class AlertsSettings(BaseSettings):
    """How the alerts service is bound, who signs in, and where webhooks go."""

    model_config = SettingsConfigDict(env_prefix="JOINEDUP_ALERTS_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8020
    users_file: Path = DEFAULT_USERS_FILE
    webhooks_file: Path = DEFAULT_WEBHOOKS_FILE
    webhook_secret: SecretStr = SecretStr(WEBHOOK_PLACEHOLDER)
    webhook_max_attempts: int = 5
    webhook_base_delay_s: float = 0.5
    webhook_max_delay_s: float = 30.0
    webhook_timeout_s: float = 5.0
    webhook_group: str = "joinedup-alerts-webhooks"
    acknowledged_topic: str = topics.ALERTS_ACKNOWLEDGED
    session_hours: float = 12.0
    secure_cookies: bool = False

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

    @property
    def deadletter_topic(self) -> str:
        """Where undeliverable webhooks go, with the reason in headers."""
        return topics.deadletter(WEBHOOK_DEADLETTER_SOURCE)
