"""Where a benchmark leaves its figures: a last JSON line on stdout and bench/results/<name>.json.

The file holds the figures of the latest run of that benchmark (with the
client versions, the time and the machine's load average: other work on the
machine skews them), so `make bench` leaves one file per benchmark.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

import aiokafka
import confluent_kafka

RESULTS = Path(__file__).resolve().parent / "results"


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p90, p99, max and mean of `values` (nearest rank), rounded to 0.1."""
    ordered = sorted(values)

    def rank(pct: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]

    return {
        "p50": round(rank(50), 1),
        "p90": round(rank(90), 1),
        "p99": round(rank(99), 1),
        "max": round(ordered[-1], 1),
        "mean": round(sum(ordered) / len(ordered), 1),
    }


def report_figures(bench: str, figures: dict[str, Any]) -> Path:
    """Print `figures` as the last line (JSON) and write them to bench/results/<bench>.json."""
    record = {
        "bench": bench,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "librdkafka": confluent_kafka.libversion()[0],
        "aiokafka": aiokafka.__version__,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        **figures,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{bench}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record))
    return path
