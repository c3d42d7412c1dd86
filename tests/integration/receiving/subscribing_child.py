"""A subscriber process for the crash test: `Subscriber.run` with a handler appending to a file.

    python subscribing_child.py AGENCY NAME OUT [KILL_AFTER]

The handler appends each disclosure as a JSON line and flushes it. With
KILL_AFTER, the process SIGKILLs itself inside the handler of that many-th
disclosure, after storing it: the disclosure is stored but never committed.
Settings come from JOINEDUP_* (the registry from JOINEDUP_REGISTRY_URL).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from services.bus.settings import BusSettings
from services.sdk.disclosure import Disclosure
from services.sdk.registry import registry_schema_source
from services.sdk.subscriber import Subscriber


async def main(agency: str, name: str, out: Path, kill_after: int | None) -> None:
    """Receive until killed."""
    settings = BusSettings()
    handled = 0
    with out.open("a", encoding="utf-8") as sink:

        async def store(disclosure: Disclosure) -> None:
            nonlocal handled
            sink.write(json.dumps(disclosure.as_json()) + "\n")
            sink.flush()
            handled += 1
            if kill_after is not None and handled >= kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

        source = registry_schema_source(settings)
        async with Subscriber.connect(settings, agency, name, source) as subscriber:
            await subscriber.run(store)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    limit = int(arguments[3]) if len(arguments) > 3 else None
    asyncio.run(main(arguments[0], arguments[1], Path(arguments[2]), limit))
