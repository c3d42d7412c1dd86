"""`joinedup broker start|status|stop` on a second, private broker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from rigs.ports import free_ports as _free_ports

from services.broker.local import ephemeral_port_range

pytestmark = pytest.mark.integration


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
        port, controller = _free_ports(2)
        env = {
            **os.environ,
            "JOINEDUP_BROKER_PORT": str(port),
            "JOINEDUP_BROKER_CONTROLLER_PORT": str(controller),
            "JOINEDUP_BROKER_DATA_DIR": str(tmp_path / "kafka"),
        }
        env.pop("JOINEDUP_BOOTSTRAP_SERVERS", None)
        try:
            started = _joinedup("broker", "start", env=env)
            assert started.returncode == 0, started.stderr
            assert f"ready at 127.0.0.1:{port}" in started.stderr
            with socket.create_connection(("127.0.0.1", controller), timeout=2.0):
                pass  # the KRaft controller listens on the configured port
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

    @pytest.mark.parametrize("which", ["broker", "controller"])
    def test_an_ephemeral_port_is_refused_before_anything_starts(self, tmp_path, which):
        """A port inside the ephemeral range: exit 2 with one sentence, nothing started."""
        low, high = ephemeral_port_range()
        ephemeral = (low + high) // 2
        ports = {"broker": low - 100, "controller": low - 50, which: ephemeral}
        setting = f"JOINEDUP_BROKER_{'PORT' if which == 'broker' else 'CONTROLLER_PORT'}"
        data_dir = tmp_path / "kafka"
        env = {
            **os.environ,
            "JOINEDUP_BROKER_PORT": str(ports["broker"]),
            "JOINEDUP_BROKER_CONTROLLER_PORT": str(ports["controller"]),
            "JOINEDUP_BROKER_DATA_DIR": str(data_dir),
        }
        env.pop("JOINEDUP_BOOTSTRAP_SERVERS", None)
        result = _joinedup("broker", "start", env=env)
        said = " ".join(result.stderr.split())
        assert result.returncode == 2
        assert (
            f"{setting} is {ephemeral}, inside the OS's ephemeral port range {low}-{high} "
            "where client sockets can take it while the broker is down: "
            f"set {setting} to a port outside {low}-{high}"
        ) in said
        assert "Traceback" not in said
        assert "ready at" not in said
        assert not data_dir.exists()
