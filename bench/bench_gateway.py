"""Gateway throughput (events/s) for batches of 1, 100 and 1000 against the real broker.

Run: .venv/bin/python bench/bench_gateway.py   (broker at JOINEDUP_* settings; the
gateway runs in-process behind uvicorn on a free 127.0.0.1 port, schemas in memory)
Each request is a JSON array of fresh AttendanceMarked events; time is from the
first request to the last 202 (every event acknowledged by Kafka, acks=all).
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import socket
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from figures import report_figures

from schemas.schema_source import InMemorySchemaSource
from services.bus.settings import BusSettings
from services.gateway.bootstrap import GatewayOptions, build_gateway
from services.gateway.domain.publishers import token_digest

PLAN = ((1, 1_000), (100, 50), (1000, 10))  # (batch size, requests)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def event(agency: str) -> dict:
    now = datetime.now(UTC) - timedelta(hours=1)
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": "AttendanceMarked",
        "occurred_at": now.isoformat(),
        "recorded_at": now.isoformat(),
        "source": {"agency": agency, "system": "bench", "practitioner_role": None},
        "child_ref": "cr1_" + base64.b32encode(secrets.token_bytes(20)).decode().lower(),
        "school": agency,
        "session_date": (now.date() - timedelta(days=1)).isoformat(),
        "session": "AM",
        "register_code": "N",
    }


async def main() -> None:
    agency = f"school-bench-{uuid.uuid4().hex[:8]}"
    folder = Path(tempfile.mkdtemp())
    (folder / "publishers.yaml").write_text(
        f"publishers:\n  - agency: {agency}\n    token_sha256: {token_digest('bench-token')}\n"
    )
    options = GatewayOptions(
        publishers_file=folder / "publishers.yaml",
        max_body_bytes=16 * 1024 * 1024,
        links_topic=f"identity.links-bench-{uuid.uuid4().hex[:8]}",
    )
    app = build_gateway(BusSettings(), InMemorySchemaSource(), options)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.05)
    headers = {"Authorization": "Bearer bench-token"}
    rows = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            await client.post("/v1/events", json=[event(agency)], headers=headers)  # warm up
            print(f"{'batch':>6}{'requests':>10}{'events/s':>12}{'ms/request':>12}")
            for size, requests in PLAN:
                bodies = [[event(agency) for _ in range(size)] for _ in range(requests)]
                start = time.perf_counter()
                for body in bodies:
                    response = await client.post("/v1/events", json=body, headers=headers)
                    response.raise_for_status()
                seconds = time.perf_counter() - start
                print(
                    f"{size:>6}{requests:>10}{size * requests / seconds:>12,.0f}"
                    f"{seconds / requests * 1000:>12.1f}"
                )
                rows.append(
                    {
                        "batch": size,
                        "requests": requests,
                        "events_per_s": round(size * requests / seconds),
                        "ms_per_request": round(seconds / requests * 1000, 1),
                    }
                )
    finally:
        server.should_exit = True
        await serving
    report_figures("bench_gateway", {"batches": rows})


if __name__ == "__main__":
    asyncio.run(main())
