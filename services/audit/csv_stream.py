"""Audit rows as CSV, line by line, for an export streamed while it is read."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any, Final

from services.audit.rows import COLUMNS, csv_cell

LINES_PER_CHUNK: Final = 500


def _writer(out: io.StringIO) -> csv.DictWriter[str]:
    return csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")


async def audit_csv_stream(rows: AsyncIterable[dict[str, Any]]) -> AsyncIterator[str]:
    """The header, then the rows in chunks of lines; no cell is a formula (rows.csv_cell)."""
    out = io.StringIO()
    writer = _writer(out)
    writer.writeheader()
    count = 0
    async for row in rows:
        cells = {**row, "fields": json.dumps(row.get("fields") or [])}
        writer.writerow({name: csv_cell(value) for name, value in cells.items()})
        count += 1
        if count % LINES_PER_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
