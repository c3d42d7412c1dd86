"""The Faust view app on the real broker: it receives committed DisclosedEvents only."""

from __future__ import annotations

import asyncio
import contextlib
import io

import faust
import pytest
from faust.serializers import codecs

from schemas.codec import AvroCodec
from schemas.registry_client import RegistryClient
from services.alerts.samples import disclosed_record
from services.bus import topics
from services.bus.kafka import build_producer, ensure_topics
from services.sdk.faust_view import build_view_app

pytestmark = pytest.mark.integration

CHILD_REF = "cr1_faustview" + "f" * 23
WAIT_S = 60


def _view_records(agency: str, *subjects: str) -> list[dict]:
    return [
        disclosed_record(agency, "AttendanceMarked", {"subject": subject}, child_ref=CHILD_REF)
        for subject in subjects
    ]


async def _publish(producer, codec, topic: str, records: list[dict], *, commit: bool) -> None:
    """Write `records` in one transaction, then commit or abort it."""
    await producer.begin_transaction()
    for record in records:
        value = codec.encode("DisclosedEvent", record)
        await producer.send_and_wait(topic, value, key=CHILD_REF.encode())
    if commit:
        await producer.commit_transaction()
    else:
        await producer.abort_transaction()


@contextlib.asynccontextmanager
async def _running(app: faust.App):
    """Run `app` in this process and event loop, as `faust worker` would, until the block ends."""
    worker = faust.Worker(
        app,
        loop=asyncio.get_running_loop(),
        quiet=True,
        stdout=io.StringIO(),  # the worker's terminal spinner
        override_logging=False,
        daemon=False,
    )
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop()


class TestViewApp:
    async def test_receives_committed_records_and_never_aborted_ones(
        self, bus_settings, unique_name, registry
    ):
        """Records of committed transactions reach on_event in order; those of an aborted
        transaction between them never do."""
        agency = unique_name("school")
        topic = topics.view(agency)
        await ensure_topics(bus_settings, [topic])
        committed = _view_records(agency, "first", "second")
        aborted = _view_records(agency, "aborted-1", "aborted-2")
        after = _view_records(agency, "after-the-abort")
        producer = build_producer(bus_settings, transactional_id=unique_name("view-writer"))
        with RegistryClient(registry.url) as writer_source:
            codec = AvroCodec(writer_source)
            await producer.start()
            try:
                await _publish(producer, codec, topic, committed, commit=True)
                await _publish(producer, codec, topic, aborted, commit=False)
                await _publish(producer, codec, topic, after, commit=True)
            finally:
                await producer.stop()

        received: list[dict] = []
        last_seen = asyncio.Event()
        last_id = after[-1]["event_id"]

        async def on_event(record: dict) -> None:
            received.append(record)
            if str(record["event_id"]) == last_id:
                last_seen.set()

        codec_name = unique_name("joinedup-avro")
        with RegistryClient(registry.url) as reader_source:
            app = build_view_app(
                bus_settings,
                agency,
                reader_source,
                on_event,
                app_id=unique_name("view-reader"),
                codec_name=codec_name,
            )
            try:
                async with _running(app):
                    try:
                        await asyncio.wait_for(last_seen.wait(), WAIT_S)
                    except TimeoutError:
                        pytest.fail(
                            f"on_event saw {len(received)} record(s) in {WAIT_S}s "
                            f"(app crash: {app.crash_reason!r})"
                        )
            finally:
                codecs.codecs.pop(codec_name, None)

        want = committed + after
        assert [str(r["event_id"]) for r in received] == [r["event_id"] for r in want]
        assert [r["fields"] for r in received] == [r["fields"] for r in want]
        assert {r["event_type"] for r in received} == {"AttendanceMarked"}
        assert {r["recipient"] for r in received} == {agency}
