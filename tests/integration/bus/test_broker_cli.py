"""`joinedup broker start|status|stop` on a second, private broker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.integration


def _free_port_pair() -> int:
    """A port p such that p and p+1 (the controller) are both free on loopback."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with socket.socket() as second:
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise AssertionError("no free port pair on loopback")


def _joinedup(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestBrokerCommands:
    def test_start_status_stop(self, tmp_path, bus_settings):
        """start answers with the address, a second start is a no-op, stop stops it."""
        port = _free_port_pair()
        env = {
            **os.environ,
            "JOINEDUP_BROKER_PORT": str(port),
            "JOINEDUP_BROKER_DATA_DIR": str(tmp_path / "kafka"),
        }
        env.pop("JOINEDUP_BOOTSTRAP_SERVERS", None)
        try:
            started = _joinedup("broker", "start", env=env)
            assert started.returncode == 0, started.stderr
            assert f"ready at 127.0.0.1:{port}" in started.stderr
            again = _joinedup("broker", "start", env=env)
            assert "already running" in again.stderr
            status = _joinedup("broker", "status", env=env)
            assert status.returncode == 0
            assert "running (pid" in status.stderr
        finally:
            stopped = _joinedup("broker", "stop", env=env)
        assert "stopped" in stopped.stderr
        after = _joinedup("broker", "status", env=env)
        assert after.returncode == 1
        assert "not running" in after.stderr

    @pytest.mark.parametrize("bootstrap", ["127.0.0.1:1", "no-such-host.invalid:9092"])
    def test_bad_bootstrap_fails_fast_and_clearly(self, bootstrap):
        """A wrong JOINEDUP_BOOTSTRAP_SERVERS gives one clear sentence within seconds."""
        env = {
            **os.environ,
            "JOINEDUP_BOOTSTRAP_SERVERS": bootstrap,
            "JOINEDUP_CONNECT_TIMEOUT_S": "3",
        }
        began = time.monotonic()
        result = _joinedup("broker", "status", env=env)
        assert time.monotonic() - began < 15
        assert result.returncode == 2
        assert f"no Kafka broker answered at {bootstrap}" in result.stderr
        assert "Traceback" not in result.stderr
