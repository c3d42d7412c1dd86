"""Reading a request body no further than a limit: a large body is refused, never held."""

from __future__ import annotations

from collections.abc import AsyncIterator


def declared_too_large(content_length: str | None, limit: int) -> bool:
    """Whether the Content-Length header already says the body is over `limit` bytes."""
    return content_length is not None and content_length.isdigit() and int(content_length) > limit


async def read_at_most(chunks: AsyncIterator[bytes], limit: int) -> bytes | None:
    """The body from `chunks`, or None as soon as more than `limit` bytes arrive.

    At most `limit` + 1 bytes are kept, and reading stops at the chunk that
    crosses the limit: the rest of the body is never read.
    """
    body = bytearray()
    async for chunk in chunks:
        body += chunk[: limit + 1 - len(body)]
        if len(body) > limit:
            return None
    return bytes(body)
