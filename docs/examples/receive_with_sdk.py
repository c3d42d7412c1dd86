"""Receive your agency's view with the SDK's `Subscriber`, into a JSON-lines file.

docs/receiving.md explains it. Against the local bus (settings from JOINEDUP_*):

    python docs/examples/receive_with_sdk.py --agency school-100001 --name case-system \
        --out received.jsonl

Each disclosure is appended to `--out` as one JSON line (the shape of
`Disclosure.as_json()`), then the subscriber is asked for the next one: only
then does it count as handled, and its offset is committed with the batch. A
process killed in between is handed the uncommitted disclosures again after
a restart, so the file may hold a disclosure twice: whatever reads it keys
on (publisher, event_id), as your case system would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from services.bus.settings import BusSettings
from services.sdk.registry import registry_schema_source
from services.sdk.subscriber import Subscriber


async def receive(agency: str, name: str, out: Path | None, stop_after: int | None) -> int:
    """Append each disclosure of `agency`'s view to `out` (stdout if None); return the count."""
    settings = BusSettings()
    handled = 0
    sink = out.open("a", encoding="utf-8") if out else sys.stdout
    try:
        connecting = Subscriber.connect(settings, agency, name, registry_schema_source(settings))
        async with connecting as subscriber:
            async for disclosure in subscriber:
                sink.write(json.dumps(disclosure.as_json(), sort_keys=True) + "\n")
                sink.flush()
                handled += 1
                if stop_after is not None and handled >= stop_after:
                    break
    finally:
        if out:
            sink.close()
    return handled


def main() -> None:
    """Parse the command line and receive until interrupted (or `--stop-after` disclosures)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agency", required=True, help="your agency id")
    parser.add_argument("--name", required=True, help="this system's name (group <agency>-<name>)")
    parser.add_argument("--out", type=Path, help="JSON-lines file to append to (default: stdout)")
    parser.add_argument("--stop-after", type=int, help="stop after this many disclosures")
    arguments = parser.parse_args()
    try:
        count = asyncio.run(
            receive(arguments.agency, arguments.name, arguments.out, arguments.stop_after)
        )
    except KeyboardInterrupt:
        return
    print(f"{count} disclosure(s) received", file=sys.stderr)


if __name__ == "__main__":
    main()
