import asyncio
import json
import time

import pytest
from aiohttp import web
from pydantic import SecretStr

from services.alerts.bootstrap import build_app
from services.alerts.domain.signature import SIGNATURE_HEADER, verify_signature
from services.alerts.samples import alert_record

SECRET = "integration-webhook-secret"  # noqa: S105 - a test-only secret


class Receiver:
    """A local webhook receiver that fails `failures` times, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts = 0
        self.accepted: list[dict] = []
        self.bad_signatures = 0
        self.done = asyncio.Event()
        self.delivered = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.attempts += 1
        header = request.headers.get(SIGNATURE_HEADER, "")
        if not verify_signature(header, SECRET.encode(), body, now=int(time.time())):
            self.bad_signatures += 1
            return web.Response(status=401)
        if self.attempts <= self.failures:
            if self.attempts == self.failures:
                self.done.set()
            return web.Response(status=503)
        self.accepted.append(json.loads(body))
        self.delivered.set()
        return web.Response(status=204)


@pytest.fixture
async def receiver_at():
    runners = []

    async def start(receiver: Receiver) -> str:
        app = web.Application()
        app.router.add_post("/hook", receiver.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}/hook"

    yield start
    for runner in runners:
        await runner.cleanup()


def _hooked(options, tmp_path, agency: str, url: str):
    hooks = tmp_path / "hooks.yaml"
    hooks.write_text(f"webhooks:\n  - {{agency: {agency}, urls: ['{url}']}}\n", encoding="utf-8")
    return options.model_copy(update={"webhooks_file": hooks, "webhook_secret": SecretStr(SECRET)})


class TestWebhooks:
    async def test_signed_post_retried_until_accepted(
        self, bus_settings, agencies, publish, schema_source, options, serve, receiver_at, tmp_path
    ):
        """A receiver failing twice with 503 gets the signed alert on the third attempt."""
        first, _ = agencies
        receiver = Receiver(failures=2)
        url = await receiver_at(receiver)
        record = alert_record(first, summary="Ten-day return due")
        app = build_app(bus_settings, _hooked(options, tmp_path, first, url), schema_source)
        async with serve(app):
            await publish(record)
            async with asyncio.timeout(30):
                await receiver.delivered.wait()
        assert receiver.attempts == 3
        assert receiver.bad_signatures == 0
        assert receiver.accepted[0]["alert"]["summary"] == "Ten-day return due"
        assert receiver.accepted[0]["agency"] == first

    async def test_undeliverable_alert_is_dead_lettered(
        self,
        bus_settings,
        agencies,
        publish,
        schema_source,
        options,
        serve,
        receiver_at,
        tmp_path,
        read_first,
    ):
        """After the bounded attempts fail, the record goes to deadletter.alerts-webhook."""
        first, _ = agencies
        receiver = Receiver(failures=3)
        url = await receiver_at(receiver)
        record = alert_record(first)
        settings = _hooked(options, tmp_path, first, url)
        app = build_app(bus_settings, settings, schema_source)
        async with serve(app):
            await publish(record)
            async with asyncio.timeout(30):
                await receiver.done.wait()
            await asyncio.sleep(0.5)
        view = f"view.{first}".encode()
        message = await read_first(
            settings.deadletter_topic,
            lambda record: dict(record.headers).get("joinedup.source.topic") == view,
        )
        headers = dict(message.headers)
        assert headers["joinedup.reason"] == b"webhook-undeliverable"
        assert headers["joinedup.error"].startswith(b"3 attempt(s), last: HTTP 503")
        assert message.key == record["child_ref"].encode()
        assert receiver.attempts == 3
