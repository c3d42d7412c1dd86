"""Every `serve` command takes the same address, cluster and registry options."""

from __future__ import annotations

import pytest
import typer
from typer.core import TyperGroup, TyperOption

from services.alerts.settings import AlertsSettings
from services.cli.alerts import alerts_app
from services.cli.consent import consent_app
from services.cli.gateway import gateway_app
from services.cli.registry import registry_app
from services.cli.serve_options import SHARED_OPTIONS, bus_settings
from services.consent.settings import ConsentSettings
from services.gateway.settings import GatewaySettings

SERVE_APPS = {
    "gateway": gateway_app,
    "registry": registry_app,
    "consent": consent_app,
    "alerts": alerts_app,
}


def shared_options_of(app: typer.Typer) -> dict[str, tuple[str | None, object]]:
    """The shared options of an app's `serve` command: flag -> (help, default)."""
    command = typer.main.get_command(app)
    if isinstance(command, TyperGroup):
        command = command.commands["serve"]
    return {
        flag: (param.help, param.default)
        for param in command.params
        if isinstance(param, TyperOption)
        for flag in param.opts
        if flag in SHARED_OPTIONS
    }


class TestSharedOptions:
    @pytest.mark.parametrize("service", sorted(SERVE_APPS))
    def test_each_serve_has_all_four_flags(self, service):
        """Every serve command has --host, --port, --bootstrap-servers and --registry-url."""
        assert set(shared_options_of(SERVE_APPS[service])) == set(SHARED_OPTIONS)

    def test_the_flags_read_the_same_everywhere(self):
        """The four serve commands give the shared flags the same help and default."""
        seen = {name: shared_options_of(app) for name, app in SERVE_APPS.items()}

        assert seen["gateway"] == seen["registry"] == seen["consent"] == seen["alerts"]

    def test_defaults_are_left_to_the_settings(self):
        """No shared flag hard-codes a default: the service's setting supplies it."""
        defaults = {default for _, default in shared_options_of(gateway_app).values()}

        assert defaults == {None}


class TestBusSettingsFromFlags:
    def test_flags_replace_the_environment(self, monkeypatch):
        """--bootstrap-servers and --registry-url win over JOINEDUP_* for this process."""
        monkeypatch.setenv("JOINEDUP_BOOTSTRAP_SERVERS", "env-kafka:9092")
        monkeypatch.setenv("JOINEDUP_REGISTRY_URL", "http://env-registry:18081")

        settings = bus_settings("flag-kafka:9092", "http://flag-registry:18081")

        assert settings.bootstrap == "flag-kafka:9092"
        assert settings.registry_url == "http://flag-registry:18081"

    def test_without_flags_the_environment_holds(self, monkeypatch):
        """Without the flags, JOINEDUP_BOOTSTRAP_SERVERS and JOINEDUP_REGISTRY_URL apply."""
        monkeypatch.setenv("JOINEDUP_BOOTSTRAP_SERVERS", "env-kafka:9092")
        monkeypatch.setenv("JOINEDUP_REGISTRY_URL", "http://env-registry:18081")

        settings = bus_settings(None, None)

        assert settings.bootstrap == "env-kafka:9092"
        assert settings.registry_url == "http://env-registry:18081"

    def test_one_flag_leaves_the_other_setting_alone(self, monkeypatch):
        """Giving only --registry-url keeps the environment's cluster."""
        monkeypatch.setenv("JOINEDUP_BOOTSTRAP_SERVERS", "env-kafka:9092")

        settings = bus_settings(None, "http://flag-registry:18081")

        assert settings.bootstrap == "env-kafka:9092"
        assert settings.registry_url == "http://flag-registry:18081"


class TestServiceAddresses:
    def test_documented_ports_are_the_defaults(self, monkeypatch):
        """Without settings, the services bind the ports README's Services table names."""
        for name in ("GATEWAY", "CONSENT", "ALERTS"):
            monkeypatch.delenv(f"JOINEDUP_{name}_PORT", raising=False)

        assert (GatewaySettings().port, ConsentSettings().port, AlertsSettings().port) == (
            8000,
            8010,
            8020,
        )

    def test_each_address_is_a_setting(self, monkeypatch):
        """JOINEDUP_<SERVICE>_HOST/PORT move each service's default address."""
        monkeypatch.setenv("JOINEDUP_GATEWAY_HOST", "0.0.0.0")  # noqa: S104 - value under test
        monkeypatch.setenv("JOINEDUP_GATEWAY_PORT", "18000")
        monkeypatch.setenv("JOINEDUP_CONSENT_PORT", "18010")

        assert (GatewaySettings().host, GatewaySettings().port) == ("0.0.0.0", 18000)  # noqa: S104
        assert ConsentSettings().port == 18010
