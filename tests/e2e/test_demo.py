"""`joinedup demo` (what `make demo` runs), driven as a newcomer would run it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


class TestDemo:
    def test_demo_tells_the_story_and_the_audit_verifies(self, bus_settings, tmp_path):
        """The demo starts every service; views, alerts and audit show what they should."""
        env = {
            **os.environ,
            "JOINEDUP_BOOTSTRAP_SERVERS": bus_settings.bootstrap,
            "JOINEDUP_HOME": str(tmp_path),
            "COLUMNS": "200",
        }
        result = subprocess.run(
            [sys.executable, "-m", "services", "demo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        output = result.stderr
        assert result.returncode == 0, output[-3000:]
        assert "condition-not-met" in output
        assert "consent-not-given" in output
        assert "isa-operation-encompass" in output
        assert "ALERT safeguarding.operation-encompass" in output
        assert "ALERT safeguarding.multi-agency-match" in output
        assert "'intact': True" in output
        assert "Traceback" not in output
