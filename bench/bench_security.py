"""What security costs: the router benchmark on a SASL_SSL broker and on a PLAINTEXT one.

The secured broker is the local one `make bench` starts (SASL_SSL, SCRAM-SHA-512,
the authorizer on; the bench runs as its admin principal). A second local
broker is started for the run in PLAINTEXT mode on its own ports and data dir
(JOINEDUP_BENCH_PLAIN_PORT, default 19292, and the next port for its
controller), and stopped at the end. On each, in the same run and on the same
events: A (raw aiokafka pass-through), B (raw librdkafka transactional copy)
and R (the router), as bench/bench_router.py defines them, both brokers
running throughout and each warmed by a quarter-size run first (a fresh
broker's JVM is cold). The figures are the ratios secured/plain of each.

Needs the local broker (`joinedup broker start`). Loopback only, bounded.
Run: .venv/bin/python bench/bench_security.py [events]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from bench_router import Timing, measure
from figures import report_figures

from services.broker.local import LocalBroker
from services.bus.logging import configure_logging
from services.bus.settings import BusSettings

PLAIN_PORT = int(os.environ.get("JOINEDUP_BENCH_PLAIN_PORT", "19292"))


def plain_settings(data_dir: Path) -> BusSettings:
    """A PLAINTEXT local broker of the run's own, beside the secured one."""
    return BusSettings(
        bootstrap_servers=None,
        broker_port=PLAIN_PORT,
        broker_controller_port=PLAIN_PORT + 1,
        broker_data_dir=data_dir,
        broker_security="plaintext",
        kafka_client_file=None,
    )


def show(label: str, plain: Timing, secured: Timing) -> float:
    """Print one line of the comparison; return secured/plain throughput."""
    p, s = plain.figures(), secured.figures()
    ratio = s["events_per_s"] / p["events_per_s"]
    print(
        f"{label:<46}{p['events_per_s']:>10,} ev/s plain {s['events_per_s']:>10,} ev/s secured "
        f"(x{ratio:.2f})"
    )
    return ratio


async def main(n: int) -> None:
    configure_logging("WARNING")
    secured = BusSettings()
    protocol = secured.client_security.protocol
    if protocol != "SASL_SSL":
        print(f"the bench's broker speaks {protocol}, not SASL_SSL: nothing to compare")
        raise SystemExit(1)
    with tempfile.TemporaryDirectory() as data_dir:
        plain = plain_settings(Path(data_dir))
        broker = LocalBroker(plain)
        await asyncio.to_thread(broker.start)  # it probes with an event loop of its own
        try:  # both measured while both brokers run: the same load on the machine
            for warming in (plain, secured):  # a fresh broker's JVM is cold: warm both alike
                await measure(warming, max(n // 4, 1_000))
            plain_run = await measure(plain, n)
            secured_run = await measure(secured, n)
        finally:
            await asyncio.to_thread(broker.stop)
    print(f"events: {n:,}; 3 partitions; 3 recipients; secured = SASL_SSL + SCRAM-SHA-512 + ACLs")
    ratios = {
        name: round(show(label, plain_run[i], secured_run[i]), 3)
        for i, (name, label) in enumerate(
            [
                ("raw_aiokafka_pass_through", "A  raw aiokafka 1:1 pass-through"),
                ("raw_rdkafka_txn_copy", "B  raw librdkafka transactional copy 1 -> 6"),
                ("router", "R  router"),
            ]
        )
    }
    report_figures(
        "bench_security",
        {
            "events": n,
            "plain": {name: plain_run[i].figures() for i, name in enumerate(ratios)},
            "secured": {name: secured_run[i].figures() for i, name in enumerate(ratios)},
            "secured_over_plain_throughput": ratios,
        },
    )


if __name__ == "__main__":
    sys.exit(asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)))
