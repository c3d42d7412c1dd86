"""docker-compose.yml and the files `joinedup broker security-init` writes, as tests read them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from services.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"


def load_compose() -> dict[str, Any]:
    """docker-compose.yml, its YAML anchors and merge keys resolved."""
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def security_init_arguments(compose: dict[str, Any]) -> list[str]:
    """What the compose file's security-init service passes after `security-init`."""
    command = compose["services"]["security-init"]["command"]
    return command[command.index("security-init") + 1 :]


def kafka_script(compose: dict[str, Any]) -> str:
    """The kafka container's shell script, as the shell sees it (`$$` is compose's `$`)."""
    return compose["services"]["kafka"]["command"][0].replace("$$", "$")


def run_security_init(directory: Path, *options: str) -> str:
    """Run `joinedup broker security-init DIRECTORY OPTIONS...`; its output (it must succeed)."""
    result = CliRunner().invoke(app, ["broker", "security-init", str(directory), *options])
    assert result.exit_code == 0, result.output
    return result.output


def properties_of(path: Path) -> dict[str, str]:
    """A Java properties file's `key=value` lines (comments and blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
