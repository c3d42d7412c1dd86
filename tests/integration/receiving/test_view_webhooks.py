"""View webhooks on the real broker: subscribed event types POSTed, signed, retried, replayed.

The alerts service runs in-process (its webhook relay reads the views); the
receivers are real HTTP servers on 127.0.0.1. `joinedup alerts webhooks
replay` runs as the command it is, a process of its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter

import pytest
from aiohttp import web
from pydantic import SecretStr
from receiving_rig import disclosures
from rigs.serving import serving

from schemas.registry_client import RegistryClient
from services.alerts.bootstrap import build_app
from services.alerts.domain.signature import SIGNATURE_HEADER, verify_signature
from services.alerts.domain.users import token_digest
from services.alerts.samples import alert_record
from services.alerts.settings import AlertsSettings

pytestmark = pytest.mark.integration

SECRET = "receiving-webhook-secret"  # noqa: S105 - a test-only secret
WAIT_S = 60


class Receiver:
    """A webhook receiver refusing each event's first `failures` attempts (503), then taking it."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts: Counter[str] = Counter()
        self.accepted: list[dict] = []
        self.bad_signatures = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        header = request.headers.get(SIGNATURE_HEADER, "")
        if not verify_signature(header, SECRET.encode(), body, now=int(time.time())):
            self.bad_signatures += 1
            return web.Response(status=401)
        event_id = request.headers["X-Joinedup-Event-Id"]
        self.attempts[event_id] += 1
        if self.attempts[event_id] <= self.failures:
            return web.Response(status=503)
        self.accepted.append(json.loads(body))
        return web.Response(status=204)

    def accepted_ids(self) -> list[str]:
        return [document["disclosure"]["event_id"] for document in self.accepted]


@pytest.fixture
async def receiver_at():
    """`await receiver_at(receiver)` serves it on a free port and returns its URL."""
    runners = []

    async def start(receiver: Receiver) -> str:
        app = web.Application()
        app.router.add_post("/joinedup/disclosures", receiver.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/joinedup/disclosures?key=abc"

    yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
def alerts_options(tmp_path, agencies, unique_name):
    """Alerts settings with no alert webhooks, fast retries and this test's groups."""
    users = tmp_path / "duty-users.yaml"
    users.write_text(
        f"users:\n  - {{id: u, name: U, agency: {agencies[0]}, role: duty-manager, "
        f"token_sha256: {token_digest('tok')}}}\n",
        encoding="utf-8",
    )
    hooks = tmp_path / "webhooks.yaml"
    hooks.write_text("webhooks: []\n", encoding="utf-8")

    def subscribed(url: str, *event_types: str) -> AlertsSettings:
        views = tmp_path / "view-webhooks.yaml"
        views.write_text(
            f"subscriptions:\n  - agency: {agencies[0]}\n    url: '{url}'\n"
            f"    event_types: [{', '.join(event_types)}]\n",
            encoding="utf-8",
        )
        return AlertsSettings(
            users_file=users,
            webhooks_file=hooks,
            view_webhooks_file=views,
            webhook_secret=SecretStr(SECRET),
            acknowledged_topic=unique_name("alerts.acknowledged"),
            webhook_group=unique_name("joinedup-alerts-webhooks"),
            webhook_replay_group=unique_name("joinedup-alerts-webhook-replay"),
            webhook_base_delay_s=0.05,
            webhook_max_attempts=3,
        )

    return subscribed


async def until(check, timeout_s: float = WAIT_S) -> None:
    """Poll `check` (a receiver's or the relay's counters) until it is true."""
    async with asyncio.timeout(timeout_s):
        while not check():  # noqa: ASYNC110 - counters of other tasks, no event to wait on
            await asyncio.sleep(0.1)


async def replay_command(registry, options) -> tuple[int, str]:
    """`joinedup alerts webhooks replay`, a process with the test's files and groups."""
    environment = {
        **os.environ,
        "JOINEDUP_REGISTRY_URL": registry.url,
        "JOINEDUP_ALERTS_USERS_FILE": str(options.users_file),
        "JOINEDUP_ALERTS_WEBHOOKS_FILE": str(options.webhooks_file),
        "JOINEDUP_ALERTS_VIEW_WEBHOOKS_FILE": str(options.view_webhooks_file),
        "JOINEDUP_ALERTS_WEBHOOK_SECRET": SECRET,
        "JOINEDUP_ALERTS_WEBHOOK_REPLAY_GROUP": options.webhook_replay_group,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "services", "alerts", "webhooks", "replay"),
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), WAIT_S)
    return process.returncode or 0, out.decode() + err.decode()


class TestViewWebhooks:
    async def test_subscribed_events_arrive_once_each_after_retries(
        self, bus_settings, registry, agencies, writer, receiver_at, alerts_options, event_ids
    ):
        """A receiver refusing each event twice gets every subscribed event exactly once,
        signed; event types it did not subscribe to never reach it."""
        agency = agencies[0]
        receiver = Receiver(failures=2)
        options = alerts_options(await receiver_at(receiver), "AttendanceMarked")
        wanted = disclosures(agency, 5)
        other = disclosures(agency, 2, start=100)
        for record in other:
            record["event_type"] = "SuspensionIssued"
        app = build_app(bus_settings, options, RegistryClient(registry.url))
        async with serving(app):
            await writer.write([*wanted[:2], *other, alert_record(agency), *wanted[2:]])
            await until(lambda: len(receiver.accepted) >= len(wanted))
            await asyncio.sleep(1.0)  # room for anything it should not send
        assert receiver.bad_signatures == 0
        assert sorted(receiver.accepted_ids()) == sorted(event_ids(wanted))
        assert set(receiver.attempts.values()) == {3}
        document = receiver.accepted[0]
        assert (document["type"], document["agency"]) == ("view.disclosed", agency)
        assert document["disclosure"]["agreement_id"] == "isa-operation-encompass"
        assert document["disclosure"]["fields"]["session"] == "AM"

    async def test_a_receiver_that_never_recovers_is_served_by_a_replay(
        self, bus_settings, registry, agencies, writer, receiver_at, alerts_options, event_ids
    ):
        """Every attempt failing leaves the events dead-lettered; once the receiver is back,
        `joinedup alerts webhooks replay` delivers each of them, and a second replay none."""
        agency = agencies[0]
        receiver = Receiver(failures=10**6)
        options = alerts_options(await receiver_at(receiver), "AttendanceMarked")
        wanted = disclosures(agency, 4)
        app = build_app(bus_settings, options, RegistryClient(registry.url))
        async with serving(app):
            relay = app.state.relay
            await writer.write(wanted)
            await until(lambda: relay.dead_lettered >= len(wanted))
        assert receiver.accepted == []
        assert set(receiver.attempts.values()) == {3}

        receiver.failures = 0
        status, output = await replay_command(registry, options)
        assert status == 0, output
        assert output.startswith(f"delivered {len(wanted)}, failed again 0"), output
        assert sorted(receiver.accepted_ids()) == sorted(event_ids(wanted))
        assert receiver.bad_signatures == 0

        status, output = await replay_command(registry, options)
        assert status == 0, output
        assert output.startswith("delivered 0, failed again 0"), output
        assert len(receiver.accepted) == len(wanted)
