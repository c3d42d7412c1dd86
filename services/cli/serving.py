"""Serve an ASGI app that must be built inside a running event loop (its Kafka clients are)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import uvicorn


def serve_app(build: Callable[[], Any], host: str, port: int, **options: Any) -> None:
    """Build the app inside the loop uvicorn serves it on, then serve until interrupted."""

    async def main() -> None:
        config = uvicorn.Config(build(), host=host, port=port, log_level="warning", **options)
        await uvicorn.Server(config).serve()

    asyncio.run(main())
