"""`joinedup alerts serve` as a process: the shared flags win over the environment."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from rigs.ports import free_ports

from schemas.registry_client import RegistryClient
from services.alerts.samples import alert_record

pytestmark = pytest.mark.integration

LOWEST_EPHEMERAL = 32768
UNREACHABLE = "127.0.0.1:1"


@pytest.fixture
def schema_source(registry):
    """The alerts conftest's codec encodes through this test's own registry."""
    return RegistryClient(registry.url)


async def listed_alerts(url: str, server: subprocess.Popen[bytes]) -> list[dict] | None:
    """The first agency's alerts once the served page lists some; None if the server exits."""
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(base_url=url, timeout=2.0) as http:
        while server.poll() is None:
            assert time.monotonic() < deadline, "alerts serve did not list the alert in time"
            try:
                answer = await http.get("/api/alerts", headers={"Authorization": "Bearer tok-a"})
                if answer.is_success and answer.json()["alerts"]:
                    return answer.json()["alerts"]
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    return None


class TestAlertsServeCommand:
    async def test_flags_choose_port_cluster_and_registry(
        self, bus_settings, registry, agencies, users_file, publish, tmp_path, unique_name
    ):
        """--port, --bootstrap-servers and --registry-url win over JOINEDUP_* settings."""
        first, _ = agencies
        alert_id = str(uuid.uuid4())
        await publish(alert_record(first, alert_id=alert_id))
        port, other_port = free_ports(2)
        webhooks = tmp_path / "webhooks.yaml"
        webhooks.write_text("webhooks: []\n")
        env = {
            **os.environ,
            "JOINEDUP_BOOTSTRAP_SERVERS": UNREACHABLE,
            "JOINEDUP_REGISTRY_URL": f"http://{UNREACHABLE}",
            "JOINEDUP_CONNECT_TIMEOUT_S": "3",
            "JOINEDUP_ALERTS_PORT": str(other_port),
            "JOINEDUP_ALERTS_USERS_FILE": str(users_file),
            "JOINEDUP_ALERTS_WEBHOOKS_FILE": str(webhooks),
            "JOINEDUP_ALERTS_ACKNOWLEDGED_TOPIC": unique_name("alerts.acknowledged"),
            "JOINEDUP_ALERTS_WEBHOOK_GROUP": unique_name("alerts-webhooks"),
        }
        flags = ["--port", str(port), "--bootstrap-servers", bus_settings.bootstrap]
        flags += ["--registry-url", registry.url]
        log = tmp_path / "alerts.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                [sys.executable, "-m", "services", "alerts", "serve", *flags],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            listed = await listed_alerts(f"http://127.0.0.1:{port}", server)
            assert listed is not None, log.read_text()
            async with httpx.AsyncClient(timeout=1.0) as http:
                with pytest.raises(httpx.TransportError):
                    await http.get(f"http://127.0.0.1:{other_port}/healthz")
        finally:
            server.terminate()
            # uvicorn shuts down cleanly, then re-raises the signal it caught.
            assert server.wait(timeout=30) in {0, -signal.SIGTERM}
        assert [item["alert_id"] for item in listed] == [alert_id]
        assert "Traceback" not in log.read_text()
