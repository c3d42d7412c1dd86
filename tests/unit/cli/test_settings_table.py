"""The settings table: generated from the settings classes, in README, complete and discreet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from services.alerts.settings import WEBHOOK_PLACEHOLDER
from services.bus.settings import DEVELOPMENT_PLACEHOLDER
from services.cli.exceptions import SettingsMarkersError
from services.cli.main import app
from services.cli.settings_table import (
    END_MARKER,
    HIDDEN,
    PROJECT_ROOT,
    REGENERATE,
    SETTINGS_CLASSES,
    START_MARKER,
    UNDOCUMENTED,
    all_settings,
    markdown_table,
    replace_between_markers,
    show_default,
    table_in,
)
from services.thresholds.settings import ThresholdsSettings

README = PROJECT_ROOT / "README.md"
SOURCE_PACKAGES = ("services", "schemas", "consent")
ENVIRONMENT_READ = re.compile(
    r"(?:environ\.get\(|environ\[|getenv\(|envvar=)\s*[\"'](JOINEDUP_[A-Z0-9_]+)[\"']"
)


def generated() -> str:
    return markdown_table(all_settings(typer.main.get_command(app)))


def variables() -> set[str]:
    return {setting.variable for setting in all_settings(typer.main.get_command(app))}


def environment_reads() -> set[str]:
    """Every JOINEDUP_* name the project's code reads straight from the environment."""
    return {
        name
        for package in SOURCE_PACKAGES
        for source in sorted((PROJECT_ROOT / package).rglob("*.py"))
        for name in ENVIRONMENT_READ.findall(source.read_text(encoding="utf-8"))
    }


class TestReadme:
    def test_readme_table_is_the_generated_one(self):
        """README's settings table is exactly what the settings classes generate."""
        in_readme = table_in(README.read_text(encoding="utf-8"))

        assert in_readme == generated(), (
            f"README.md's settings table is out of date: run `.venv/bin/{REGENERATE}`"
        )

    def test_readme_keeps_its_first_screen(self):
        """The two set-up commands still open the README, before the settings table."""
        text = README.read_text(encoding="utf-8")

        assert text.index("make demo") < text.index("make test") < text.index(START_MARKER)


class TestCompleteness:
    def test_every_setting_is_described(self):
        """Every field of every registered settings class has a description."""
        undocumented = [
            setting.variable
            for setting in all_settings(typer.main.get_command(app))
            if UNDOCUMENTED in setting.description
        ]

        assert undocumented == []

    def test_every_variable_the_code_reads_is_listed(self):
        """A JOINEDUP_* variable read with os.environ, getenv or envvar= is in the table."""
        read = environment_reads()

        assert "JOINEDUP_GATEWAY_TOKEN" in read  # the scan itself finds reads
        assert read - variables() == set()

    def test_the_serve_addresses_and_stray_variables_are_listed(self):
        """Each service's address, the registry URL and the thresholds override are rows."""
        expected = {
            "JOINEDUP_REGISTRY_URL",
            "JOINEDUP_GATEWAY_HOST",
            "JOINEDUP_GATEWAY_PORT",
            "JOINEDUP_CONSENT_HOST",
            "JOINEDUP_CONSENT_PORT",
            "JOINEDUP_ALERTS_HOST",
            "JOINEDUP_ALERTS_PORT",
            "JOINEDUP_THRESHOLDS_CONFIG",
        }

        assert expected <= variables()

    def test_variables_are_unique(self):
        """No variable is listed twice, even when two classes or options could name it."""
        names = [s.variable for s in all_settings(typer.main.get_command(app))]

        assert len(names) == len(set(names))

    def test_default_ports_are_below_the_ephemeral_range(self):
        """Every default port a setting names is below 32768."""
        ports = {
            s.variable: int(s.default)
            for s in all_settings(typer.main.get_command(app))
            if s.variable.endswith("_PORT") and s.default.isdigit()
        }

        assert len(ports) >= 4
        assert {name: port for name, port in ports.items() if port >= 32768} == {}


class TestSecrets:
    def test_secrets_show_no_value(self, monkeypatch):
        """Secret settings read "(secret)": neither the placeholder nor the environment's value."""
        monkeypatch.setenv("JOINEDUP_CHILD_REF_KEY", "k-from-the-environment-1234")
        table = generated()

        rows = {s.variable: s.default for s in all_settings(typer.main.get_command(app))}
        assert rows["JOINEDUP_CHILD_REF_KEY"] == HIDDEN
        assert rows["JOINEDUP_ALERTS_WEBHOOK_SECRET"] == HIDDEN
        assert DEVELOPMENT_PLACEHOLDER not in table
        assert WEBHOOK_PLACEHOLDER not in table
        assert "k-from-the-environment-1234" not in table


class TestRendering:
    def test_paths_are_shown_relative_to_the_project_or_home(self):
        """A default path reads the same on every machine: project-relative or under ~."""
        assert show_default(PROJECT_ROOT / "docs" / "examples") == "docs/examples"
        assert show_default(Path.home() / ".cache" / "joinedup") == "~/.cache/joinedup"
        assert show_default(None) == "unset"
        assert show_default(True) == "true"

    def test_registered_classes_come_first_in_declaration_order(self):
        """The table starts with the first registered class's first field."""
        first_class = SETTINGS_CLASSES[0]
        prefix = str(first_class.model_config.get("env_prefix"))
        first_field = next(iter(first_class.model_fields))

        rows = all_settings(typer.main.get_command(app))
        assert rows[0].variable == f"{prefix}{first_field}".upper()

    def test_pipes_in_descriptions_do_not_break_the_table(self):
        """Every row of the markdown table has exactly four unescaped pipes."""
        for line in generated().splitlines():
            assert len(re.findall(r"(?<!\\)\|", line)) == 4, line


class TestMarkers:
    def test_only_the_text_between_markers_is_replaced(self):
        """The text around the markers is kept; the old table is gone."""
        text = f"before\n{START_MARKER}\nold table\n{END_MARKER}\nafter\n"

        replaced = replace_between_markers(text, "| new |\n")

        assert replaced == f"before\n{START_MARKER}\n| new |\n{END_MARKER}\nafter\n"
        assert table_in(replaced) == "| new |\n"

    def test_missing_markers_are_one_clear_error(self):
        """A file without the marker pair is refused, naming the markers."""
        with pytest.raises(SettingsMarkersError, match="settings:start"):
            replace_between_markers("no markers here\n", "| new |\n")


class TestCommand:
    def test_markdown_prints_the_generated_table(self):
        """`joinedup settings --markdown` prints the same table README holds."""
        result = CliRunner().invoke(app, ["settings", "--markdown"])

        assert result.exit_code == 0, result.output
        assert result.output == generated()

    def test_plain_listing_names_every_variable(self):
        """`joinedup settings` lists every variable of the table."""
        result = CliRunner().invoke(app, ["settings"], terminal_width=200)

        assert result.exit_code == 0, result.output
        assert variables() <= set(re.findall(r"JOINEDUP_[A-Z0-9_]+", result.output))

    def test_write_readme_rewrites_only_the_table(self, tmp_path):
        """`--write-readme FILE` puts the generated table between the markers of FILE."""
        readme = tmp_path / "README.md"
        readme.write_text(f"# Title\n{START_MARKER}\nstale\n{END_MARKER}\nend\n")

        result = CliRunner().invoke(app, ["settings", "--write-readme", str(readme)])

        assert result.exit_code == 0, result.output
        text = readme.read_text()
        assert text.startswith(f"# Title\n{START_MARKER}\n")
        assert text.endswith(f"{END_MARKER}\nend\n")
        assert table_in(text) == generated()


class TestThresholdsSettings:
    def test_the_override_is_read_from_its_setting(self, monkeypatch, tmp_path):
        """JOINEDUP_THRESHOLDS_CONFIG is read through ThresholdsSettings."""
        monkeypatch.setenv("JOINEDUP_THRESHOLDS_CONFIG", str(tmp_path / "rules.yaml"))

        assert ThresholdsSettings().config == tmp_path / "rules.yaml"

    def test_an_empty_override_means_none(self, monkeypatch):
        """An empty JOINEDUP_THRESHOLDS_CONFIG is no override, as before."""
        monkeypatch.setenv("JOINEDUP_THRESHOLDS_CONFIG", "")

        assert ThresholdsSettings().config is None
