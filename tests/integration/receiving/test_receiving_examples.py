"""docs/receiving.md, proven: each of its three examples run as a script on the real bus."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from pydantic import SecretStr
from receiving_rig import disclosures, token_of
from rigs.serving import serving

from schemas.registry_client import RegistryClient
from services.alerts.bootstrap import build_app
from services.alerts.domain.signature import signature_header
from services.alerts.domain.users import token_digest
from services.alerts.settings import AlertsSettings
from services.view_feed.bootstrap import build_view_feed
from services.view_feed.settings import ViewFeedSettings

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).parents[3] / "docs" / "examples"
SECRET = "examples-webhook-secret"  # noqa: S105 - a test-only secret
RUN_S = 120


async def run(*arguments: str, environment: dict[str, str] | None = None) -> tuple[int, str]:
    """Run an example to its end; its exit status and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *arguments,
        env={**os.environ, **(environment or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), RUN_S)
    return process.returncode or 0, err.decode()


def stored(path: Path) -> list[dict]:
    """The disclosures an example stored."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestSdkExample:
    async def test_it_stores_the_view_as_json_lines(
        self, registry, agencies, writer, unique_name, tmp_path, event_ids
    ):
        """receive_with_sdk.py stores each disclosure of the view once, shaped as the SDK's."""
        agency = agencies[0]
        records = disclosures(agency, 25)
        await writer.write(records)
        out = tmp_path / "received.jsonl"

        status, err = await run(
            str(EXAMPLES / "receive_with_sdk.py"),
            *("--agency", agency, "--name", unique_name("example"), "--out", str(out)),
            *("--stop-after", "25"),
            environment={"JOINEDUP_REGISTRY_URL": registry.url},
        )

        assert status == 0, err
        assert "25 disclosure(s) received" in err
        assert sorted(d["event_id"] for d in stored(out)) == sorted(event_ids(records))
        assert {d["recipient"] for d in stored(out)} == {agency}


class TestHttpExample:
    async def test_it_pages_the_view_and_goes_on_from_its_saved_cursor(
        self, bus_settings, registry, readers_file, agencies, writer, tmp_path, event_ids
    ):
        """receive_over_http.py stores the whole view; run again, it stores only what is new."""
        agency = agencies[0]
        first, then = disclosures(agency, 620), disclosures(agency, 30, start=1000)
        await writer.write(first)
        out, cursor = tmp_path / "received.jsonl", tmp_path / "cursor.txt"
        options = ViewFeedSettings(readers_file=readers_file)
        app = build_view_feed(bus_settings, RegistryClient(registry.url), options)
        arguments = (
            str(EXAMPLES / "receive_over_http.py"),
            *("--agency", agency, "--out", str(out), "--cursor-file", str(cursor)),
            "--stop-when-idle",
        )
        environment = {"JOINEDUP_VIEW_TOKEN": token_of(agency)}

        async with serving(app) as url:
            status, err = await run(*arguments, "--url", url, environment=environment)
            assert status == 0, err
            assert "620 disclosure(s) received" in err
            await writer.write(then)
            status, err = await run(*arguments, "--url", url, environment=environment)

        assert status == 0, err
        assert "30 disclosure(s) received" in err
        ids = [d["event_id"] for d in stored(out)]
        assert sorted(ids) == sorted(event_ids(first + then))


class TestWebhookExample:
    async def test_it_stores_signed_deliveries_once_and_refuses_forged_ones(
        self, bus_settings, registry, agencies, writer, unique_name, tmp_path, event_ids
    ):
        """receive_webhooks.py takes the bus's signed POSTs; a forged or stale one gets 401."""
        agency = agencies[0]
        port, out = free_port(), tmp_path / "received.jsonl"
        receiver = await asyncio.create_subprocess_exec(
            sys.executable,
            str(EXAMPLES / "receive_webhooks.py"),
            *("--port", str(port), "--out", str(out)),
            env={**os.environ, "JOINEDUP_WEBHOOK_SECRET": SECRET},
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await asyncio.wait_for(receiver.stderr.readline(), 30)
            url = f"http://127.0.0.1:{port}/joinedup"
            options = self._options(tmp_path, agency, url, unique_name)
            records = disclosures(agency, 6)
            app = build_app(bus_settings, options, RegistryClient(registry.url))
            async with serving(app):
                await writer.write(records)
                async with asyncio.timeout(60):
                    while len(stored(out)) < len(records):  # noqa: ASYNC110 - another process
                        await asyncio.sleep(0.1)
            forged = await asyncio.to_thread(self._post, url, b'{"type":"view.disclosed"}', 0)
            stale = await asyncio.to_thread(self._post, url, b"{}", 3600)
        finally:
            receiver.kill()
            await receiver.wait()
        assert sorted(d["event_id"] for d in stored(out)) == sorted(event_ids(records))
        assert (forged, stale) == (401, 401)

    @staticmethod
    def _options(tmp_path, agency, url, unique_name) -> AlertsSettings:
        users, hooks, views = (tmp_path / n for n in ("users.yaml", "hooks.yaml", "views.yaml"))
        users.write_text(
            f"users:\n  - {{id: u, name: U, agency: {agency}, role: duty-worker, "
            f"token_sha256: {token_digest('tok')}}}\n",
            encoding="utf-8",
        )
        hooks.write_text("webhooks: []\n", encoding="utf-8")
        views.write_text(
            f"subscriptions:\n  - {{agency: {agency}, url: '{url}', "
            "event_types: [AttendanceMarked]}\n",
            encoding="utf-8",
        )
        return AlertsSettings(
            users_file=users,
            webhooks_file=hooks,
            view_webhooks_file=views,
            webhook_secret=SecretStr(SECRET),
            acknowledged_topic=unique_name("alerts.acknowledged"),
            webhook_group=unique_name("joinedup-alerts-webhooks"),
        )

    @staticmethod
    def _post(url: str, body: bytes, skew_s: int) -> int:
        """POST `body` signed with a wrong key (skew 0) or the right key long ago."""
        key = b"not-the-secret" if skew_s == 0 else SECRET.encode()
        header = signature_header(key, int(time.time()) - skew_s, body)
        request = urllib.request.Request(  # noqa: S310 - a local http URL of the test
            url, data=body, headers={"X-Joinedup-Signature": header}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as refused:
            return refused.code
