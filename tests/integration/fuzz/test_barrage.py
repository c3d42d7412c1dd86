"""The bad-input barrage: at least 2,000 hostile requests across the four APIs.

No 5xx, every service still serving afterwards, and every event the gateway
acknowledged (202) on its ingest topic. The counts by status code are printed
(pytest -s) and written to test-artifacts/fuzz-counts.json under "barrage";
bench/barrage.py runs the same barrage at any size.
"""

from __future__ import annotations

import pytest
from barrage import BarrageResult, run_barrage
from fuzz_rig import APIS, FuzzServices, stored_event_ids
from tally import show, write_counts

pytestmark = pytest.mark.integration

GENERATED = 2000  # generated requests; the hand-written ones (~800) come on top
MIN_TOTAL = 2000
MIN_PER_API = 300


@pytest.fixture(scope="module")
def barrage(fuzz_services: FuzzServices) -> tuple[BarrageResult, set[str]]:
    """Run the barrage once, then read the run's ingest topics back from Kafka."""
    result = run_barrage(fuzz_services, GENERATED, log=show)
    topics = sorted(set(result.acked.values()))
    stored = set(stored_event_ids(fuzz_services, topics))
    show(f"\n{result.tally.table(f'barrage, {result.seconds:.0f}s')}")
    show(
        f"acknowledged events: {len(result.acked)}, found on their topics: "
        f"{len(set(result.acked) & stored)}; health afterwards: {result.health}"
    )
    if result.tally.findings:
        show(result.tally.report())
    write_counts(
        "barrage",
        result.tally.as_json()
        | {
            "generated": GENERATED,
            "handwritten": result.handwritten,
            "seconds": round(result.seconds, 1),
            "acknowledged_events": len(result.acked),
            "acknowledged_found_downstream": len(set(result.acked) & stored),
            "health_afterwards": result.health,
        },
    )
    return result, stored


def test_sends_at_least_2000_requests_across_the_four_apis(barrage):
    """The barrage sent at least 2,000 requests, and hundreds to each API."""
    result, _ = barrage
    assert result.tally.total >= MIN_TOTAL
    assert {api: result.tally.total_of(api) >= MIN_PER_API for api in APIS} == dict.fromkeys(
        APIS, True
    ), dict(result.tally.by_api)


def test_no_request_gets_a_server_error(barrage):
    """No request of the barrage got a 5xx, nor went unanswered."""
    result, _ = barrage
    unanswered = [f for f in result.tally.findings if f.status is None]
    assert result.tally.server_errors() == {}, "\n" + result.tally.report()
    assert not unanswered, "\n" + "\n".join(f.line() for f in unanswered)


def test_every_service_still_serves_afterwards(barrage):
    """Afterwards gateway, consent and alerts are alive and ready; each API serves a real call."""
    result, _ = barrage
    expected = {
        "gateway /healthz": 200,
        "consent /healthz": 200,
        "alerts /healthz": 200,
        "gateway /readyz": 200,
        "consent /readyz": 200,
        "alerts /readyz": 200,
        "registry /readyz": 200,
        "gateway accepts an event": 202,
        "consent lists agreements": 200,
        "alerts lists alerts": 200,
        "registry lists subjects": 200,
    } | {f"{api} thread": 1 for api in APIS}
    assert {name: result.health[name] for name in expected} == expected


def test_every_acknowledged_event_is_on_its_ingest_topic(barrage, fuzz_services):
    """Each event the gateway answered 202 for is stored on its agency's ingest topic."""
    result, stored = barrage
    assert len(result.acked) >= 50, "the barrage had too few valid events accepted"
    assert set(result.acked.values()) <= set(fuzz_services.ingest_topics)
    assert sorted(set(result.acked) - stored) == []
