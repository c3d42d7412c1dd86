"""Every `JOINEDUP_*` setting, read from the settings classes so the list cannot drift.

`SETTINGS_CLASSES` is the one place a settings class is registered; command-line
options that also read a `JOINEDUP_*` variable (`envvar=`) are added from the
command tree itself. Defaults are shown as written in the code, never a value
from the environment, and a secret's default is shown as "(secret)".
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretBytes, SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings
from typer.core import TyperCommand, TyperGroup, TyperOption

from services.alerts.settings import AlertsSettings
from services.bus.settings import BusSettings
from services.cli.exceptions import SettingsMarkersError
from services.consent.settings import ConsentSettings
from services.dashboard.settings import DashboardSettings
from services.database.settings import DatabaseSettings
from services.gateway.settings import GatewaySettings
from services.observability.settings import ProbeSettings
from services.thresholds.settings import ThresholdsSettings
from services.view_feed.settings import ViewFeedSettings

SETTINGS_CLASSES: tuple[type[BaseSettings], ...] = (
    BusSettings,
    DatabaseSettings,
    GatewaySettings,
    ConsentSettings,
    AlertsSettings,
    ViewFeedSettings,
    ThresholdsSettings,
    ProbeSettings,
    DashboardSettings,
)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_MARKER = "<!-- settings:start -->"
END_MARKER = "<!-- settings:end -->"
HIDDEN = "(secret)"
UNSET = "unset"
UNDOCUMENTED = "(undocumented)"
SECRET_WORDS = ("SECRET", "TOKEN", "KEY", "PASSWORD")
REGENERATE = "joinedup settings --markdown --write-readme README.md"


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default as text, and what it does."""

    variable: str
    default: str
    description: str


def show_default(value: object) -> str:
    """A default as a reader would type it: paths relative to the project or `~`."""
    if value is None:
        return UNSET
    if isinstance(value, SecretStr | SecretBytes):
        return HIDDEN
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        return _show_path(value)
    return str(value)


def _show_path(path: Path) -> str:
    if path.is_relative_to(PROJECT_ROOT):
        return path.relative_to(PROJECT_ROOT).as_posix()
    home = Path.home()
    if path.is_relative_to(home):
        return f"~/{path.relative_to(home).as_posix()}"
    return path.as_posix()


def _is_secret(annotation: object) -> bool:
    if annotation in {SecretStr, SecretBytes}:
        return True
    return any(_is_secret(argument) for argument in typing.get_args(annotation))


def _choices(annotation: object) -> str:
    if typing.get_origin(annotation) is not typing.Literal:
        return ""
    return " One of " + ", ".join(f"`{choice}`" for choice in typing.get_args(annotation)) + "."


def _variable(settings_class: type[BaseSettings], name: str, field: FieldInfo) -> str:
    if isinstance(field.validation_alias, str):
        return field.validation_alias.upper()
    prefix = settings_class.model_config.get("env_prefix") or ""
    return f"{prefix}{name}".upper()


def settings_of(settings_class: type[BaseSettings]) -> list[Setting]:
    """The settings one class reads, in the order its fields are declared."""
    found: list[Setting] = []
    for name, field in settings_class.model_fields.items():
        if _is_secret(field.annotation):
            default = HIDDEN
        else:
            default = show_default(field.get_default(call_default_factory=True, validated_data={}))
        description = (field.description or UNDOCUMENTED) + _choices(field.annotation)
        found.append(Setting(_variable(settings_class, name, field), default, description))
    return found


def _commands(command: object, path: str) -> typing.Iterator[tuple[str, TyperCommand | TyperGroup]]:
    if isinstance(command, TyperCommand | TyperGroup):
        yield path, command
    if isinstance(command, TyperGroup):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, f"{path} {name}")


def _envvars(option: TyperOption) -> list[str]:
    names = [option.envvar] if isinstance(option.envvar, str) else list(option.envvar or ())
    return [name for name in names if name.startswith("JOINEDUP_")]


def command_line_settings(root: object, name: str = "joinedup") -> list[Setting]:
    """Options of a command tree (`typer.main.get_command(app)`) read from `JOINEDUP_*`."""
    found: list[Setting] = []
    for path, command in _commands(root, name):
        for option in command.params:
            if not isinstance(option, TyperOption):
                continue
            for variable in _envvars(option):
                secret = any(word in variable for word in SECRET_WORDS)
                default = HIDDEN if secret and option.default is not None else None
                default = default or show_default(option.default)
                flag = max(option.opts, key=len)
                help_text = (option.help or UNDOCUMENTED).rstrip(".")
                found.append(Setting(variable, default, f"{help_text} (`{path} {flag}`)."))
    return sorted(found, key=lambda setting: setting.variable)


def all_settings(root: object) -> list[Setting]:
    """Every setting: the registered classes' fields, then the command line's variables."""
    from_classes: list[Setting] = []
    known: set[str] = set()
    for cls in SETTINGS_CLASSES:  # a variable two classes read (JOINEDUP_HOME) is listed once
        for setting in settings_of(cls):
            if setting.variable not in known:
                from_classes.append(setting)
                known.add(setting.variable)
    extra = [s for s in command_line_settings(root) if s.variable not in known]
    return from_classes + extra


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(settings: list[Setting]) -> str:
    """The settings as a markdown table (variable, default, description)."""
    lines = ["| variable | default | description |", "|---|---|---|"]
    lines += [
        f"| `{s.variable}` | `{_cell(s.default)}` | {_cell(s.description)} |" for s in settings
    ]
    return "\n".join(lines) + "\n"


def replace_between_markers(text: str, table: str) -> str:
    """`text` with everything between the settings markers replaced by `table`."""
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        raise SettingsMarkersError(
            f"no {START_MARKER} ... {END_MARKER} pair to write the settings table between"
        )
    head = text[: start + len(START_MARKER)]
    return f"{head}\n{table}{text[end:]}"


def table_in(text: str) -> str:
    """The table currently between the settings markers of `text`."""
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        raise SettingsMarkersError(f"no {START_MARKER} ... {END_MARKER} pair in the text")
    return text[start + len(START_MARKER) : end].lstrip("\n")
