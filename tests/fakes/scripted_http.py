"""A scripted HTTP server as an ASGI app: each request gets the next answer of its script."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Answer:
    """One scripted answer: status, JSON body, headers."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ScriptedServer:
    """Answers requests in order from `script` (the last answer repeats); records each body."""

    script: list[Answer]
    bodies: list[bytes] = field(default_factory=list)

    async def __call__(self, scope, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(body)
        answer = self.script[min(len(self.bodies), len(self.script)) - 1]
        headers = [(b"content-type", b"application/json")]
        headers += [(k.lower().encode(), v.encode()) for k, v in answer.headers.items()]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(answer.body).encode()})

    def client(self) -> httpx.AsyncClient:
        """An HTTP client whose requests this server answers."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self), base_url="http://gateway")
