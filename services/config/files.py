"""Find a named configuration file: the deployment's, else the packaged default.

A deployment keeps its files in one directory, `JOINEDUP_CONFIG_DIR`
(`BusSettings.config_dir`). A file it does not hold falls back to the default
shipped in `services.config.defaults`, read through importlib.resources so an
installed wheel finds it just as a checkout does. Packaged copies that
describe Exampleshire, the example authority, or sign in development tokens
are refused in production mode: there the deployment must hold its own.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal, get_args

from services.bus.settings import BusSettings
from services.config.exceptions import ConfigFileError

ConfigName = Literal[
    "agencies.yaml",
    "publishers.yaml",
    "consent-users.yaml",
    "duty-users.yaml",
    "webhooks.yaml",
    "view-webhooks.yaml",
    "view-readers.yaml",
    "demo-agreements.yaml",
    "threshold-rules.yaml",
    "school-calendar.yaml",
    "audit-retention.yaml",
]
CONFIG_NAMES: tuple[ConfigName, ...] = get_args(ConfigName)
DEFAULTS_PACKAGE = "services.config.defaults"
TEMPLATES_PACKAGE = "services.config.defaults.agreement_templates"
DEVELOPMENT_ONLY: frozenset[ConfigName] = frozenset(
    {
        "agencies.yaml",
        "publishers.yaml",
        "consent-users.yaml",
        "duty-users.yaml",
        "view-readers.yaml",
        "demo-agreements.yaml",
        "school-calendar.yaml",
    }
)


def _packaged(package: str, name: str) -> Path:
    found = resources.files(package).joinpath(name)
    # pip installs a wheel as plain files, so a packaged resource is a real path.
    if not isinstance(found, Path) or not found.is_file():
        raise ConfigFileError(f"the packaged file {name} is missing from {package}")
    return found


def packaged_default(name: ConfigName) -> Path:
    """The default of `name` shipped inside the package."""
    return _packaged(DEFAULTS_PACKAGE, name)


def deployment_file(settings: BusSettings, name: ConfigName) -> Path | None:
    """The deployment's own `name` in JOINEDUP_CONFIG_DIR, or None when it holds none."""
    folder = settings.config_dir
    if folder is None:
        return None
    if not folder.is_dir():
        raise ConfigFileError(f"JOINEDUP_CONFIG_DIR ({folder}) must be an existing directory")
    candidate = folder / name
    return candidate if candidate.is_file() else None


def config_file(settings: BusSettings, name: ConfigName) -> Path:
    """The deployment's `name` when JOINEDUP_CONFIG_DIR holds it, else the packaged default."""
    found = deployment_file(settings, name)
    if found is not None:
        return found
    if settings.mode == "production" and name in DEVELOPMENT_ONLY:
        where = "JOINEDUP_CONFIG_DIR"
        if settings.config_dir is not None:
            where += f" ({settings.config_dir})"
        raise ConfigFileError(
            f"{where} must hold {name} in production mode, because its packaged default "
            "is for development only"
        )
    return packaged_default(name)


def agreement_templates() -> tuple[Path, ...]:
    """The packaged sharing agreement templates, by file name."""
    names = sorted(
        entry.name
        for entry in resources.files(TEMPLATES_PACKAGE).iterdir()
        if entry.name.endswith(".yaml")
    )
    return tuple(_packaged(TEMPLATES_PACKAGE, name) for name in names)
