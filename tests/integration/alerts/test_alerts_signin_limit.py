"""Sign-in on the running alerts service reads at most 4 KB + 1 of a body.

The client below sends the start of a large body and then waits, never sending
the rest: a server that read the whole body first would wait for it and never
answer; this one answers 413 as soon as it has seen more than 4 KB.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httpx
import pytest

from services.alerts.bootstrap import build_app

pytestmark = pytest.mark.integration


async def status_of_unfinished_post(url: str, headers: dict[str, str], sent: bytes) -> int:
    """POST /signin with `headers`, send `sent` and no more; the status line's code."""
    where = urlsplit(url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    try:
        lines = ["POST /signin HTTP/1.1", f"Host: {where.netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + sent)
        await writer.drain()
        async with asyncio.timeout(10):
            status = await reader.readline()
        return int(status.split()[1])
    finally:
        writer.close()


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked transfer encoding."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


class TestSigninBodyLimit:
    async def test_an_unfinished_chunked_body_over_4kb_is_413(
        self, bus_settings, agencies, schema_source, options, serve
    ):
        """5 KB of a chunked body that never ends is refused with 413, without waiting."""
        app = build_app(bus_settings, options, schema_source)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Transfer-Encoding": "chunked",
        }
        sent = b"".join(chunk(b"token=" + b"x" * 1018) for _ in range(5))
        async with serve(app) as url:
            assert await status_of_unfinished_post(url, headers, sent) == 413

    async def test_a_declared_length_over_4kb_is_413_before_any_body(
        self, bus_settings, agencies, schema_source, options, serve
    ):
        """A Content-Length of 10 MB is refused with 413 before a byte of the body is sent."""
        app = build_app(bus_settings, options, schema_source)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(10 * 1024 * 1024),
        }
        async with serve(app) as url:
            assert await status_of_unfinished_post(url, headers, b"") == 413

    async def test_a_small_sign_in_still_works(
        self, bus_settings, agencies, schema_source, options, serve
    ):
        """A valid token in a small form signs in (303 to the board, with a session cookie)."""
        app = build_app(bus_settings, options, schema_source)
        async with serve(app) as url, httpx.AsyncClient(base_url=url) as http:
            answer = await http.post("/signin", data={"token": "tok-a"})
        assert answer.status_code == 303
        assert "joinedup_alerts_session" in answer.cookies
