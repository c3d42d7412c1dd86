"""`joinedup simulate` on the demo's stack: the summary matches the simulator's own expectation."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

MATCHED = "The bus matched the simulator's expectation exactly."
# Rules every simulation's planted cases make fire (services/simulate/incidents.py).
PLANTED = (
    "attendance.ten-day-unauthorised",
    "safeguarding.multi-agency-match",
    "safeguarding.operation-encompass",
    "safeguarding.operation-encompass.escalated",
    "safeguarding.repeat-missing",
)


def _run(bus_settings, tmp_path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "JOINEDUP_BOOTSTRAP_SERVERS": bus_settings.bootstrap,
        "JOINEDUP_HOME": str(tmp_path),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "services", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


class TestSimulate:
    def test_demo_scale_small_matches_its_expectation(self, bus_settings, tmp_path):
        """`joinedup demo --scale small`: 3 schools, 120 pupils, two weeks through the SDK;
        every expected alert raised once, none unexpected, no alert in a wrong view."""
        result = _run(bus_settings, tmp_path, "demo", "--scale", "small")
        output = result.stderr
        assert result.returncode == 0, output[-4000:]
        assert MATCHED in output
        for rule in PLANTED:
            assert rule in output
        assert "What each agency's view received (this run)" in output
        assert "Traceback" not in output

    def test_through_the_gateway_matches_its_expectation(self, bus_settings, tmp_path):
        """A smaller authority publishing through the gateway, identifiers in every event."""
        result = _run(
            bus_settings,
            tmp_path,
            "simulate",
            "--via",
            "gateway",
            "--schools",
            "2",
            "--pupils",
            "60",
            "--weeks",
            "1",
            "--seed",
            "3",
        )
        output = result.stderr
        assert result.returncode == 0, output[-4000:]
        assert MATCHED in output
        assert "via gateway" in output
        assert "Traceback" not in output
