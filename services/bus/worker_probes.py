"""A stream worker's /metrics, /healthz and /readyz, on the port of its settings.

Liveness is the worker's loop turning: a loop that has not come round for
`JOINEDUP_WORKER_STALL_S` (stuck in a call that never returns) answers 503,
and an orchestrator restarts it. Readiness is the cluster and the registry
answering.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import structlog

from services.bus.readiness import bus_checks
from services.bus.settings import BusSettings
from services.observability.http import ProbeServer, probe_app
from services.observability.readiness import Check, Readiness
from services.observability.settings import ProbeSettings

log = structlog.get_logger(__name__)


@contextmanager
def worker_probes(  # noqa: PLR0913 - where, which setting, and what to report
    settings: BusSettings,
    port: int,
    setting: str,
    beat: Callable[[], float],
    *,
    checks: Sequence[Check] = (),
    probes: ProbeSettings | None = None,
) -> Iterator[ProbeServer | None]:
    """Serve the probes on `port` (0: none) while the block runs.

    `beat`: when the worker's loop last turned (time.monotonic()); `setting`:
    the variable naming the port, for the error when it is taken.
    """
    probes = probes or ProbeSettings()
    if port == 0:
        yield None
        return

    def alive() -> bool:
        return time.monotonic() - beat() < probes.worker_stall_s

    readiness = Readiness([*bus_checks(settings), *checks])
    server = ProbeServer(probe_app(readiness, alive), probes.probe_host, port, setting).start()
    log.info("metrics and probes served", host=probes.probe_host, port=port)
    try:
        yield server
    finally:
        server.stop()
