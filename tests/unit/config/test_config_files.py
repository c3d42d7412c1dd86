"""The configuration resolver: JOINEDUP_CONFIG_DIR first, packaged defaults second."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr
from setuptools import find_namespace_packages

from services.bus.settings import BusSettings
from services.config.exceptions import ConfigFileError
from services.config.files import (
    CONFIG_NAMES,
    DEFAULTS_PACKAGE,
    DEVELOPMENT_ONLY,
    TEMPLATES_PACKAGE,
    agreement_templates,
    config_file,
    deployment_file,
    packaged_default,
)

ROOT = Path(__file__).resolve().parents[3]
REAL_KEY = SecretStr("k" * 32)


def production(config_dir: Path | None) -> BusSettings:
    return BusSettings(
        mode="production", child_ref_key=REAL_KEY, config_dir=config_dir, allow_plaintext=True
    )


class TestConfigFile:
    def test_the_deployments_file_wins_and_the_others_fall_back(self, tmp_path):
        """A file in the config dir is used; a file it lacks is the packaged default."""
        (tmp_path / "agencies.yaml").write_text("agencies: []\n")
        settings = BusSettings(config_dir=tmp_path)
        assert config_file(settings, "agencies.yaml") == tmp_path / "agencies.yaml"
        assert config_file(settings, "publishers.yaml") == packaged_default("publishers.yaml")

    def test_no_config_dir_means_every_packaged_default(self):
        """Without JOINEDUP_CONFIG_DIR every name resolves to its packaged default."""
        settings = BusSettings(config_dir=None)
        assert [config_file(settings, n) for n in CONFIG_NAMES] == [
            packaged_default(n) for n in CONFIG_NAMES
        ]

    def test_the_setting_is_read_from_the_environment(self, tmp_path, monkeypatch):
        """JOINEDUP_CONFIG_DIR sets BusSettings.config_dir."""
        monkeypatch.setenv("JOINEDUP_CONFIG_DIR", str(tmp_path))
        assert BusSettings().config_dir == tmp_path

    def test_deployment_file_is_none_when_the_dir_lacks_it(self, tmp_path):
        """deployment_file answers only the deployment's own copy."""
        assert deployment_file(BusSettings(config_dir=tmp_path), "threshold-rules.yaml") is None

    def test_a_config_dir_that_is_not_a_directory_is_named(self, tmp_path):
        """A JOINEDUP_CONFIG_DIR that does not exist is one sentence naming the setting."""
        missing = tmp_path / "nowhere"
        with pytest.raises(ConfigFileError) as raised:
            config_file(BusSettings(config_dir=missing), "agencies.yaml")
        assert str(raised.value) == f"JOINEDUP_CONFIG_DIR ({missing}) must be an existing directory"


class TestProductionMode:
    @pytest.mark.parametrize("name", sorted(DEVELOPMENT_ONLY))
    def test_a_missing_required_file_names_the_setting_and_the_file(self, tmp_path, name):
        """Production refuses a development-only default, naming the setting and the file."""
        with pytest.raises(ConfigFileError) as raised:
            config_file(production(tmp_path), name)
        assert str(raised.value) == (
            f"JOINEDUP_CONFIG_DIR ({tmp_path}) must hold {name} in production mode, "
            "because its packaged default is for development only"
        )

    def test_an_unset_config_dir_is_named_too(self):
        """With no JOINEDUP_CONFIG_DIR at all the sentence still names the setting."""
        with pytest.raises(ConfigFileError, match=r"^JOINEDUP_CONFIG_DIR must hold agencies\.yaml"):
            config_file(production(None), "agencies.yaml")

    def test_the_deployments_own_file_is_accepted(self, tmp_path):
        """Production accepts a development-only name the config dir holds."""
        (tmp_path / "consent-users.yaml").write_text("users: []\n")
        assert config_file(production(tmp_path), "consent-users.yaml").parent == tmp_path

    def test_national_defaults_need_no_copy(self, tmp_path):
        """Threshold rules and webhooks fall back to the packaged defaults in production."""
        settings = production(tmp_path)
        assert config_file(settings, "webhooks.yaml") == packaged_default("webhooks.yaml")
        assert config_file(settings, "threshold-rules.yaml") == packaged_default(
            "threshold-rules.yaml"
        )


class TestPackagedDefaults:
    @pytest.mark.parametrize("name", CONFIG_NAMES)
    def test_every_default_is_a_package_resource(self, name):
        """Each default is read through importlib.resources and parses as a YAML mapping."""
        resource = resources.files(DEFAULTS_PACKAGE).joinpath(name)
        assert resource.is_file()
        assert isinstance(yaml.safe_load(resource.read_text(encoding="utf-8")), dict)
        assert packaged_default(name) == resource

    def test_the_defaults_package_holds_exactly_the_named_files(self):
        """No default is shipped that the resolver cannot name."""
        shipped = {
            entry.name
            for entry in resources.files(DEFAULTS_PACKAGE).iterdir()
            if entry.name.endswith(".yaml")
        }
        assert shipped == set(CONFIG_NAMES)

    def test_the_wheel_ships_every_default(self):
        """pyproject's package discovery and package-data put every default in the wheel."""
        setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
        assert "services*" in setuptools["packages"]["find"]["include"]
        found = {f"services.{p}" for p in find_namespace_packages(where=str(ROOT / "services"))}
        assert {DEFAULTS_PACKAGE, TEMPLATES_PACKAGE} <= found
        patterns = setuptools["package-data"]["*"]
        shipped = [*map(packaged_default, CONFIG_NAMES), *agreement_templates()]
        assert all(any(fnmatch(path.name, p) for p in patterns) for path in shipped)

    def test_agreement_templates_are_package_resources(self):
        """The templates are found through importlib.resources, sorted by name."""
        templates = agreement_templates()
        names = [template.name for template in templates]
        assert names == sorted(names)
        assert len(names) >= 5
        assert all(resources.files(TEMPLATES_PACKAGE).joinpath(n).is_file() for n in names)
