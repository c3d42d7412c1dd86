"""Readiness: every dependency asked at once, each bounded, the answer reused a moment."""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry

from services.observability.metrics import Metrics
from services.observability.readiness import OK, Check, Readiness, is_ready


class Dependency:
    """A hand-written dependency: answers, fails or hangs, and counts the questions."""

    def __init__(self, behaviour: str) -> None:
        """`behaviour`: "answer", "fail" or "hang"."""
        self.behaviour = behaviour
        self.asked = 0

    async def probe(self) -> None:
        """Answer as told."""
        self.asked += 1
        if self.behaviour == "fail":
            msg = "refused"
            raise ConnectionRefusedError(msg)
        if self.behaviour == "hang":
            await asyncio.sleep(60)


async def test_each_dependency_is_named_with_ok_or_why_not():
    """A refused broker and a hung registry: not ready, each said, the database fine."""
    m = Metrics(CollectorRegistry())
    broker, registry, database = Dependency("fail"), Dependency("hang"), Dependency("answer")
    readiness = Readiness(
        [
            Check("broker", broker.probe),
            Check("registry", registry.probe),
            Check("database", database.probe),
        ],
        timeout_s=0.05,
        registry=m,
    )

    report = await readiness.report()

    assert report == {
        "broker": "unreachable (ConnectionRefusedError)",
        "registry": "no answer within 0.05 s",
        "database": OK,
    }
    assert not is_ready(report)
    assert m.registry.get_sample_value("joinedup_dependency_up", {"dependency": "database"}) == 1
    assert m.registry.get_sample_value("joinedup_dependency_up", {"dependency": "broker"}) == 0


async def test_a_burst_of_probes_asks_the_dependencies_once():
    """Ten probes at once within the reuse window: one question to the database."""
    database = Dependency("answer")
    readiness = Readiness(
        [Check("database", database.probe)], reuse_s=60, registry=Metrics(CollectorRegistry())
    )

    reports = await asyncio.gather(*(readiness.report() for _ in range(10)))

    assert database.asked == 1
    assert all(is_ready(report) for report in reports)


async def test_the_report_is_asked_again_after_the_reuse_window():
    """A dependency that came back is seen as soon as the window has passed."""
    database = Dependency("fail")
    readiness = Readiness(
        [Check("database", database.probe)], reuse_s=0, registry=Metrics(CollectorRegistry())
    )

    first = await readiness.report()
    database.behaviour = "answer"
    second = await readiness.report()

    assert (is_ready(first), is_ready(second), database.asked) == (False, True, 2)


def test_no_dependencies_is_ready():
    """A service needing nothing outside itself is ready while it answers."""
    assert is_ready({})
