"""Receive disclosures by webhook: check each signature, keep each disclosure once.

A standalone script on Python's standard library only. docs/receiving.md
explains it; the bus's side is a subscription in view-webhooks.yaml and the
shared secret in JOINEDUP_ALERTS_WEBHOOK_SECRET. Run it where the bus can
reach it (behind your HTTPS proxy in production):

    JOINEDUP_WEBHOOK_SECRET=... python docs/examples/receive_webhooks.py \
        --port 8040 --out received.jsonl

Each POST carries `X-Joinedup-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256
of "<t>.<body>">`. A request whose signature does not match, or whose time is
more than five minutes away from ours (a replayed request), is refused with
401. A disclosure is stored, then answered 204; one already stored (the bus
delivers at least once) is answered 204 without storing it again.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Lock
from typing import ClassVar

TOLERANCE_S = 300
MAX_BODY = 1_000_000


def signed(header: str, secret: bytes, body: bytes, now: float) -> bool:
    """Whether `header` signs `body` with `secret`, at a time within the tolerance of `now`."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > TOLERANCE_S:
        return False
    expected = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Store:
    """A JSON-lines file of disclosures, each kept once by (publisher, event_id)."""

    def __init__(self, path: Path) -> None:
        """Remember what the file already holds."""
        self.path = path
        self.lock = Lock()
        self.seen: set[tuple[str, str]] = set()
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                self.seen.add((record["publisher"], record["event_id"]))

    def keep(self, disclosure: dict[str, object]) -> bool:
        """Store a disclosure unless stored already; True when it was new."""
        key = (str(disclosure["publisher"]), str(disclosure["event_id"]))
        with self.lock:
            if key in self.seen:
                return False
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(disclosure, sort_keys=True) + "\n")
            self.seen.add(key)
            return True


class WebhookHandler(BaseHTTPRequestHandler):
    """Checks, stores and answers one webhook POST."""

    secret: ClassVar[bytes] = b""
    store: ClassVar[Store]

    def do_POST(self) -> None:
        """Refuse unsigned or stale requests; store a new disclosure; answer 204."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        body = self.rfile.read(length)
        header = self.headers.get("X-Joinedup-Signature", "")
        if not signed(header, self.secret, body, time.time()):
            self.send_error(HTTPStatus.UNAUTHORIZED, "bad or stale signature")
            return
        document = json.loads(body)
        if document.get("type") == "view.disclosed":
            self.store.keep(document["disclosure"])
        self.send_response(HTTPStatus.NO_CONTENT)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - its signature
        """Stay quiet: a request line names nothing worth a log here."""


def main() -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--port", type=int, required=True, help="port to bind")
    parser.add_argument("--out", type=Path, required=True, help="JSON-lines file of disclosures")
    arguments = parser.parse_args()
    secret = os.environ.get("JOINEDUP_WEBHOOK_SECRET")
    if not secret:
        parser.error("set JOINEDUP_WEBHOOK_SECRET to the secret the bus signs with")
    WebhookHandler.secret = secret.encode()
    WebhookHandler.store = Store(arguments.out)
    server = ThreadingHTTPServer((arguments.host, arguments.port), WebhookHandler)
    print(f"receiving on http://{arguments.host}:{arguments.port}/", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


if __name__ == "__main__":
    main()
