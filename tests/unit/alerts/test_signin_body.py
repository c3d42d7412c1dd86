"""The sign-in route reads at most 4 KB + 1 of a body: a larger one is refused unread."""

import pytest

from services.alerts.entrypoints.bodies import declared_too_large, read_at_most
from services.alerts.entrypoints.web import MAX_SIGNIN_BODY


class CountingBody:
    """A request body of `chunks` chunks of `size` bytes that counts how many were read."""

    def __init__(self, chunks: int, size: int) -> None:
        self.chunks = chunks
        self.size = size
        self.read = 0

    async def stream(self):
        for _ in range(self.chunks):
            self.read += 1
            yield b"x" * self.size


class TestReadAtMost:
    async def test_a_small_body_is_read_whole(self):
        """A body within the limit comes back as it was sent."""
        body = CountingBody(chunks=3, size=10)
        assert await read_at_most(body.stream(), MAX_SIGNIN_BODY) == b"x" * 30

    async def test_reading_stops_at_the_chunk_that_crosses_the_limit(self):
        """A 1 MB body in 1 KB chunks is refused after the fifth chunk; the rest is never read."""
        body = CountingBody(chunks=1024, size=1024)
        assert await read_at_most(body.stream(), MAX_SIGNIN_BODY) is None
        assert body.read == 5

    async def test_exactly_the_limit_is_accepted(self):
        """4096 bytes is a body of the largest size taken."""
        body = CountingBody(chunks=4, size=1024)
        assert len(await read_at_most(body.stream(), MAX_SIGNIN_BODY)) == MAX_SIGNIN_BODY


class TestDeclaredLength:
    @pytest.mark.parametrize(
        ("header", "refused"),
        [(None, False), ("10", False), ("4096", False), ("4097", True), ("not-a-number", False)],
    )
    def test_a_declared_length_over_the_limit_is_refused_before_reading(self, header, refused):
        """Content-Length beyond 4 KB is enough to refuse; a missing or odd one is read."""
        assert declared_too_large(header, MAX_SIGNIN_BODY) is refused
