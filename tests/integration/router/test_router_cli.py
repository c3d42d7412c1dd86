"""The obvious set-up mistakes give one clear sentence, not a traceback or a hang."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def _worker(service: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services", service, "worker"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


class TestWorkerSetUpErrors:
    @pytest.mark.parametrize("service", ["router", "thresholds"])
    def test_no_registry_is_named(self, bus_settings, service):
        """A worker pointed at no registry exits 2 naming JOINEDUP_REGISTRY_URL."""
        result = _worker(
            service,
            {
                "JOINEDUP_BOOTSTRAP_SERVERS": bus_settings.bootstrap,
                "JOINEDUP_REGISTRY_URL": "http://127.0.0.1:1",
            },
        )
        assert result.returncode == 2, result.stderr[-2000:]
        assert "JOINEDUP_REGISTRY_URL" in result.stderr
        assert "Traceback" not in result.stderr

    @pytest.mark.parametrize("service", ["router", "thresholds"])
    def test_no_broker_is_named(self, service):
        """A worker pointed at no broker exits 2 naming JOINEDUP_BOOTSTRAP_SERVERS."""
        result = _worker(
            service,
            {"JOINEDUP_BOOTSTRAP_SERVERS": "127.0.0.1:1", "JOINEDUP_CONNECT_TIMEOUT_S": "3"},
        )
        assert result.returncode == 2, result.stderr[-2000:]
        assert "JOINEDUP_BOOTSTRAP_SERVERS" in result.stderr
        assert "Traceback" not in result.stderr
