"""A synthetic authority's week on the demo's stack: events/s sustained, peak lag, latency.

Runs `joinedup simulate` in this process through the SDK at `--speed max`. By
default 20 schools and 10,000 pupils for one week (about 110,000 events): the
largest the shared local development broker takes safely. `--authority` runs
200 schools and 60,000 pupils (about 660,000 events, 1,800 more partitions):
give it a broker of its own with a 2 GB heap (JOINEDUP_HOME, JOINEDUP_BROKER_PORT and
JOINEDUP_BROKER_HEAP=2g): the shared development broker's heap ran out under it
(docs/simulate.md).
The simulator publishes each day in waves and waits
at each barrier until the thresholds worker has committed everything sent
(services/simulate/waves.py), so "events/s" is what the bus takes in with the
rules applied, not what a producer alone can send. Latencies are from the
simulator's send to the broker timestamp of the view (router) or the alert
(thresholds), for a sample of events: at full speed they measure queueing
behind the backlog as much as processing. Figures go to bench/results/simulate.json.
Not part of `make test`; a few minutes by default on a two-core machine.
"""

from __future__ import annotations

import argparse
import time

from figures import report_figures
from rich.console import Console

from services.bus.settings import BusSettings
from services.cli.demo import ensure_broker
from services.database.settings import DatabaseSettings
from services.demo.audit_index import ensure_database
from services.simulate.plan import SimulationPlan, default_start
from services.simulate.run import RunOptions
from services.simulate.session import calendar_of, run_simulation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--pupils", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=1)
    parser.add_argument("--authority", action="store_true", help="200 schools, 60,000 pupils")
    parser.add_argument("--via", choices=("sdk", "gateway"), default="sdk")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.authority:
        args.schools, args.pupils = 200, 60_000
    settings = BusSettings()
    ensure_broker(settings)
    ensure_database(DatabaseSettings())
    plan = SimulationPlan(
        args.schools, args.pupils, args.weeks, default_start(calendar_of(settings)), args.seed
    )
    started = time.monotonic()
    outcome = run_simulation(
        settings,
        plan,
        via=args.via,
        options=RunOptions(settle_s=600.0, barrier_timeout_s=1800.0),
        keep_running=False,
        console=Console(stderr=True, width=160),
    )
    report_figures(
        "simulate",
        {
            "schools": plan.schools,
            "pupils": plan.pupils,
            "weeks": plan.weeks,
            "via": args.via,
            "wall_s_with_stack_start": round(time.monotonic() - started, 1),
            **outcome.figures(),
        },
    )


if __name__ == "__main__":
    main()
