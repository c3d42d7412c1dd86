"""Fixtures of the deployment tests: the compose file, and security-init run as it says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rigs.compose import load_compose, run_security_init, security_init_arguments


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The compose file."""
    return load_compose()


@pytest.fixture(scope="module")
def security_dir(compose: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tmp dir holding what security-init writes with the compose file's options."""
    directory = tmp_path_factory.mktemp("security")
    run_security_init(directory, *security_init_arguments(compose)[1:])
    return directory
