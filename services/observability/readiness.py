"""Readiness: whether the dependencies a process needs answer now (`/readyz`).

Liveness (`/healthz`) says the process itself works; readiness says it can
do its job, so an orchestrator sends it no traffic while its broker,
registry or database does not answer, without restarting it. Checks run
concurrently, each bounded by a timeout, and a report is reused for a
moment so a burst of probes costs the dependencies one round.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final

import httpx

from services.observability.metrics import Metrics, metrics

OK: Final = "ok"
Probe = Callable[[], Awaitable[None]]  # returns when the dependency answered; raises otherwise


@dataclass(frozen=True)
class Check:
    """One dependency: its name (broker, registry, database) and how to ask it."""

    name: str
    probe: Probe


def http_check(name: str, url: str, timeout_s: float = 2.0) -> Check:
    """A dependency that answers HTTP at `url` with any status below 500."""

    async def probe() -> None:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            answer = await client.get(url)
        if answer.status_code >= 500:
            msg = f"answered {answer.status_code}"
            raise ConnectionError(msg)

    return Check(name, probe)


class Readiness:
    """Runs `checks`; a report names each dependency with "ok" or why not."""

    def __init__(
        self,
        checks: Sequence[Check],
        *,
        timeout_s: float = 3.0,
        reuse_s: float = 1.0,
        registry: Metrics | None = None,
    ) -> None:
        """Check `checks` within `timeout_s` each; reuse a report for `reuse_s` seconds."""
        self.checks = tuple(checks)
        self._timeout_s = timeout_s
        self._reuse_s = reuse_s
        self._metrics = registry or metrics()
        self._last: tuple[float, dict[str, str]] | None = None
        self._lock = asyncio.Lock()

    async def report(self) -> dict[str, str]:
        """Each dependency's state: "ok", or a short reason (never a secret)."""
        async with self._lock:
            if self._last is not None and time.monotonic() - self._last[0] < self._reuse_s:
                return self._last[1]
            states = await asyncio.gather(*(self._ask(check) for check in self.checks))
            found = {check.name: state for check, state in zip(self.checks, states, strict=True)}
            for name, state in found.items():
                self._metrics.dependency_up.labels(name).set(1 if state == OK else 0)
            self._last = (time.monotonic(), found)
            return found

    async def _ask(self, check: Check) -> str:
        try:
            await asyncio.wait_for(check.probe(), self._timeout_s)
        except TimeoutError:
            return f"no answer within {self._timeout_s:g} s"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; say which kind
            return f"unreachable ({type(exc).__name__})"
        return OK


def is_ready(report: dict[str, str]) -> bool:
    """Whether every dependency of `report` answered."""
    return all(state == OK for state in report.values())
