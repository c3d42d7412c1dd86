"""`joinedup registry serve|register-all` against the real broker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from typer.testing import CliRunner

from schemas.catalogue import Catalogue
from schemas.registry_client import RegistryClient
from services.cli.registry import registry_app

pytestmark = pytest.mark.integration

SERVE = "from services.cli.registry import registry_app; registry_app()"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TestRegisterAll:
    def test_registers_every_avsc_under_its_record_name(self, registry):
        """Every schema file lands under `<namespace>.<name>`, with the codec's ids."""
        result = CliRunner().invoke(registry_app, ["register-all", "--url", registry.url])
        assert result.exit_code == 0, result.output
        catalogue = Catalogue.load()
        client = RegistryClient(registry.url)
        assert client.subjects() == sorted(catalogue.subject(t) for t in catalogue.event_types)
        for event_type in catalogue.event_types:
            latest = client.latest(catalogue.subject(event_type))
            assert client.register(catalogue.subject(event_type), catalogue.raw(event_type)) == (
                latest.schema_id
            )

    def test_refused_schemas_fail_the_command(self, registry, tmp_path):
        """A schema the registry refuses is reported and the command exits 1."""
        schema = {"type": "record", "name": "Noted", "namespace": "uk.joinedup.test"}
        (tmp_path / "Noted.avsc").write_text(
            json.dumps({**schema, "fields": [{"name": "a", "type": "string"}]})
        )
        runner = CliRunner()
        args = ["register-all", "--url", registry.url, "--root", str(tmp_path)]
        assert runner.invoke(registry_app, args).exit_code == 0
        (tmp_path / "Noted.avsc").write_text(
            json.dumps({**schema, "fields": [{"name": "b", "type": "string"}]})
        )
        result = runner.invoke(registry_app, args)
        assert result.exit_code == 1
        assert "REFUSED uk.joinedup.test.Noted" in result.output


class TestServe:
    def test_serves_on_loopback_until_stopped(self, registry_bus_settings, schemas_topic):
        """`serve` answers on 127.0.0.1 at the given port and stops on SIGTERM."""
        port = free_port()
        env = {**os.environ, "JOINEDUP_BOOTSTRAP_SERVERS": registry_bus_settings.bootstrap}
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, "serve", "--port", str(port), "--topic", schemas_topic],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    answer = httpx.get(f"http://127.0.0.1:{port}/subjects")
                    break
                except httpx.TransportError:
                    assert server.poll() is None, server.stderr.read().decode()
                    assert time.monotonic() < deadline, "serve did not answer in time"
                    time.sleep(0.2)
            assert answer.json() == []
        finally:
            server.terminate()
            # uvicorn shuts down cleanly, then re-raises the signal it caught.
            assert server.wait(timeout=30) in {0, -signal.SIGTERM}
        assert b"Traceback" not in server.stderr.read()
