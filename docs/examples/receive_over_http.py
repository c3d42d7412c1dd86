"""Receive your agency's view over HTTP, page by page, keeping the cursor in a file.

A standalone script: it needs only httpx, not this repository. docs/receiving.md
explains it. Against the local view feed (`joinedup view-feed serve`):

    python docs/examples/receive_over_http.py --url http://127.0.0.1:8030 \
        --agency school-100001 --out received.jsonl --cursor-file cursor.txt

The token comes from JOINEDUP_VIEW_TOKEN. Each page's disclosures are appended
to `--out` (one JSON object a line) and only then is the page's `next_cursor`
saved: a crash in between means the page is read again after a restart, never
skipped, so whatever reads the file keys on (publisher, event_id). The script
long-polls (`wait`) when it has read everything, until interrupted, or stops
then with `--stop-when-idle`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

PAGE = 500
WAIT_S = 25


def read_cursor(path: Path) -> str | None:
    """The cursor saved after the last page stored, or None to start at the beginning."""
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def save_cursor(path: Path, cursor: str) -> None:
    """Replace the saved cursor in one step (write a new file, then rename it)."""
    fresh = path.with_suffix(".tmp")
    fresh.write_text(cursor, encoding="utf-8")
    fresh.replace(path)


def fetch_page(client: httpx.Client, agency: str, cursor: str | None, wait_s: int) -> Any:
    """One page of the view; waits out a 503 as its Retry-After asks."""
    params: dict[str, Any] = {"limit": PAGE, "wait": wait_s}
    if cursor:
        params["cursor"] = cursor
    while True:
        response = client.get(f"/v1/views/{agency}", params=params)
        if response.status_code == httpx.codes.SERVICE_UNAVAILABLE:
            time.sleep(int(response.headers.get("Retry-After", "5")))
            continue
        response.raise_for_status()
        return response.json()


def receive(arguments: argparse.Namespace, token: str) -> int:
    """Store pages until interrupted (or idle, with --stop-when-idle); return how many."""
    stored = 0
    wait_s = 0 if arguments.stop_when_idle else WAIT_S
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=arguments.url, headers=headers, timeout=WAIT_S + 30) as client:
        while True:
            cursor = read_cursor(arguments.cursor_file)
            page = fetch_page(client, arguments.agency, cursor, wait_s)
            with arguments.out.open("a", encoding="utf-8") as out:
                for disclosure in page["disclosures"]:
                    out.write(json.dumps(disclosure, sort_keys=True) + "\n")
            for record in page["undecodable"]:
                print(f"not readable, tell the bus operators: {record}", file=sys.stderr)
            save_cursor(arguments.cursor_file, page["next_cursor"])
            stored += len(page["disclosures"])
            if arguments.stop_when_idle and not page["disclosures"]:
                return stored


def main() -> None:
    """Parse the command line and receive."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the view feed, e.g. http://127.0.0.1:8030")
    parser.add_argument("--agency", required=True, help="your agency id")
    parser.add_argument("--out", type=Path, required=True, help="JSON-lines file to append to")
    parser.add_argument("--cursor-file", type=Path, required=True, help="where the cursor is kept")
    parser.add_argument("--stop-when-idle", action="store_true", help="stop at the view's end")
    arguments = parser.parse_args()
    token = os.environ.get("JOINEDUP_VIEW_TOKEN")
    if not token:
        parser.error("set JOINEDUP_VIEW_TOKEN to your agency's view token")
    try:
        count = receive(arguments, token)
    except KeyboardInterrupt:
        return
    print(f"{count} disclosure(s) received", file=sys.stderr)


if __name__ == "__main__":
    main()
