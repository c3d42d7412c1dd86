"""Clear errors when the local broker's tools are missing."""

from __future__ import annotations

import os
import subprocess
import sys


class TestMissingTools:
    def test_missing_java_says_what_to_install(self, tmp_path):
        """Without java on PATH, `broker start` prints one sentence naming what to install."""
        env = {**os.environ, "PATH": str(tmp_path), "JOINEDUP_BROKER_DATA_DIR": str(tmp_path)}
        env.pop("JOINEDUP_BOOTSTRAP_SERVERS", None)
        result = subprocess.run(
            [sys.executable, "-m", "services", "broker", "start"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2
        assert "`java` was not found on PATH: install a Java 17+ runtime" in result.stderr
        assert "Traceback" not in result.stderr
