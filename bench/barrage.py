"""The bad-input barrage of tests/integration/fuzz at full size, against the four services.

Run: .venv/bin/python bench/barrage.py [generated requests, default 20000] [seed]
(broker at JOINEDUP_* settings: `joinedup broker start`; the audit database at
JOINEDUP_DATABASE_URL or the local one, `joinedup db start`, in a fresh database
of the run's own). The registry, gateway,
consent and alerts services run in this process on loopback ports, with
topics of the run's own, exactly as in the CI test; the hand-written hostile
requests (~800) are sent first, then the generated ones, one at a time. With
a seed the generated requests differ from CI's (which are fixed); without,
they are the same as CI's, only more of them.
Exit status 1 when a request got a 5xx or no answer, a service stopped
serving, or an acknowledged event is missing downstream. Counts and findings
go to bench/results/barrage.json.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from figures import report_figures

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration" / "fuzz")]

from barrage import run_barrage  # noqa: E402 - found through the path set just above
from fuzz_rig import start_services, stored_event_ids  # noqa: E402
from rigs.database import fresh_database  # noqa: E402

from services.bus.settings import BusSettings  # noqa: E402
from services.database.settings import DatabaseSettings  # noqa: E402

HEALTHY = {
    "gateway /healthz": 200,
    "consent /healthz": 200,
    "alerts /healthz": 200,
    "gateway accepts an event": 202,
    "consent lists agreements": 200,
    "alerts lists alerts": 200,
    "registry lists subjects": 200,
}


def main(generated: int, seed: int | None) -> int:
    folder = Path(tempfile.mkdtemp(prefix="barrage-"))
    with fresh_database(DatabaseSettings()) as database_url:
        services = start_services(BusSettings(), folder, database_url)
        try:
            result = run_barrage(services, generated, seed, log=print)
        finally:
            services.stop()
    stored = set(stored_event_ids(services, sorted(set(result.acked.values()))))
    missing = sorted(set(result.acked) - stored)
    tally = result.tally
    print(tally.table(f"barrage, {result.seconds:.0f}s"))
    if tally.findings:
        print(tally.report())
    unhealthy = {k: result.health.get(k) for k, v in HEALTHY.items() if result.health.get(k) != v}
    unanswered = sum(1 for f in tally.findings if f.status is None)
    report_figures(
        "barrage",
        {
            "generated": generated,
            "seed": seed,
            "handwritten": result.handwritten,
            "seconds": round(result.seconds, 1),
            "requests_per_s": round(tally.total / result.seconds, 1),
            "acknowledged_events": len(result.acked),
            "missing_downstream": len(missing),
            "unhealthy_afterwards": unhealthy,
        }
        | tally.as_json(),
    )
    failed = tally.server_errors() or unanswered or missing or unhealthy
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 20_000,
            int(sys.argv[2]) if len(sys.argv) > 2 else None,
        )
    )
