"""The streamed CSV export: the same lines as the whole-list CSV, in chunks, no formula."""

from services.audit.csv_stream import LINES_PER_CHUNK, audit_csv_stream
from services.audit.rows import audit_csv


def rows(count: int) -> list[dict]:
    return [
        {
            "recorded_at": f"2026-03-02T09:00:{n % 60:02d}+00:00",
            "child_ref": "cr1_" + "a" * 32,
            "recipient": "=cmd|' /C calc'!A0" if n == 3 else "la-education",
            "decision": "permit",
            "fields": ["event_id"],
            "partition": 0,
            "offset": n,
        }
        for n in range(count)
    ]


async def streamed(given: list[dict]) -> list[str]:
    async def source():
        for row in given:
            yield row

    return [chunk async for chunk in audit_csv_stream(source())]


class TestCsvStream:
    async def test_the_stream_equals_the_whole_list_csv(self):
        """Joined, the chunks are exactly audit_csv of the same rows (header once)."""
        given = rows(LINES_PER_CHUNK * 2 + 7)
        chunks = await streamed(given)
        assert "".join(chunks) == audit_csv(given)
        assert len(chunks) == 3
        assert "'=cmd" in chunks[0]

    async def test_no_rows_is_the_header_alone(self):
        """An empty export is one header line."""
        assert await streamed([]) == [audit_csv([])]
