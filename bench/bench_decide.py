"""Decisions per second of decide_disclosure with 1,000 agreements, against a linear scan.

The baseline decides the same (event, recipient, child) triples with the same
evaluation (`choose_disclosure`) but finds the candidate agreements by
scanning every agreement, as a rules table without an index would. Both
must agree on every decision; the script checks that before timing.

Run: .venv/bin/python bench/bench_decide.py
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from figures import report_figures

from consent.decision import choose_disclosure, decide_disclosure
from consent.domain import (
    Agency,
    AgencyDirectory,
    AgencySelector,
    ChildState,
    ConsentDirective,
    EventFacts,
    Period,
    RecipientSelector,
    RecordedBy,
    SharingAgreement,
    load_policy_codes,
)
from consent.domain.agreement import CONDITIONS
from consent.index import PolicyIndex
from consent.rules import CompiledRule

AGREEMENTS = 1_000
SCHOOLS = 200
DECISIONS = 50_000
BASELINE_DECISIONS = 3_000
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EVENT_TYPES = [f"Event{n:02d}" for n in range(20)]
CLASSES = ("identifying", "special-category", "contact", "operational")
OTHERS = [
    ("la-social-care", "social-care"),
    ("la-education", "local-authority"),
    ("virtual-school", "local-authority"),
    ("police-west", "police"),
    ("health-trust", "health"),
]


def build_directory() -> AgencyDirectory:
    rows = [(f"school-{n:06d}", "school") for n in range(SCHOOLS)] + OTHERS
    return AgencyDirectory(
        agencies=tuple(Agency(id=i, kind=k, name=i, duty_contact=f"{i}@x.example") for i, k in rows)
    )


def build_agreements(rng: random.Random, directory: AgencyDirectory) -> list[SharingAgreement]:
    codes = load_policy_codes()
    bases, purposes = sorted(codes.legal_bases), sorted(codes.purposes)
    ids = [a.id for a in directory.agencies]
    agreements = []
    for n in range(AGREEMENTS):
        if rng.random() < 0.3:
            provider = AgencySelector(kind=rng.choice(["school", "police", "social-care"]))
        else:
            provider = AgencySelector(agency=rng.choice(ids))
        if rng.random() < 0.05:
            recipient = RecipientSelector(kind="school")
        else:
            recipient = RecipientSelector(agency=rng.choice(ids))
        start = AT - timedelta(days=rng.randint(1, 800))
        end = None if rng.random() < 0.8 else AT + timedelta(days=rng.randint(-400, 400))
        agreements.append(
            SharingAgreement(
                id=f"isa-{n:04d}",
                version=1,
                title=f"Agreement {n}",
                provider=provider,
                recipient=recipient,
                event_types=frozenset(rng.sample(EVENT_TYPES, rng.randint(1, 3))),
                data_classes=frozenset(rng.sample(CLASSES, rng.randint(0, 3))),
                purpose=rng.choice(purposes),
                legal_basis=rng.choice(bases),
                conditions=frozenset(rng.sample(CONDITIONS, rng.randint(0, 2))),
                valid_from=start,
                valid_to=end if end is None or end > start else None,
            )
        )
    return agreements


def build_states(rng: random.Random, directory: AgencyDirectory) -> list[ChildState]:
    schools = [a.id for a in directory.of_kind("school")]
    states = []
    for n in range(500):
        child = f"c-{n:05d}"
        directives = ()
        if rng.random() < 0.2:
            directives = (
                ConsentDirective(
                    id=f"dir-{n}",
                    child_ref=child,
                    kind=rng.choice(["given", "withdrawn", "objection"]),
                    period=Period(start=AT - timedelta(days=30)),
                    recorded_by=RecordedBy(role="consent-officer", agency="la-social-care"),
                    recorded_at=AT - timedelta(days=1),
                ),
            )
        states.append(
            ChildState(
                child_ref=child,
                on_roll_at=frozenset({rng.choice(schools)}),
                active_plans=frozenset(rng.sample(["cp", "cin"], rng.randint(0, 1))),
                looked_after=rng.random() < 0.1,
                lead_professional=rng.choice([None, "la-social-care", "la-education"]),
                directives=directives,
            )
        )
    return states


def build_workload(
    rng: random.Random, directory: AgencyDirectory, policy: PolicyIndex
) -> list[tuple[EventFacts, Agency, ChildState]]:
    fields = {f"field{n}": CLASSES[n % 4] for n in range(10)}
    states = build_states(rng, directory)
    agencies = directory.agencies
    workload: list[tuple[EventFacts, Agency, ChildState]] = []
    while len(workload) < DECISIONS:
        provider = rng.choice(agencies)
        state = rng.choice(states)
        event = EventFacts(
            rng.choice(EVENT_TYPES), provider.id, provider.kind, state.child_ref, AT, fields
        )
        # What the router does: decide for the candidates, plus a few non-candidates.
        recipients = [*policy.candidate_recipients(event, state), rng.choice(agencies)]
        workload.extend((event, recipient, state) for recipient in recipients)
    return workload[:DECISIONS]


class LinearPolicy:
    """The baseline: every agreement checked for every decision."""

    def __init__(self, agreements: list[SharingAgreement]) -> None:
        codes = load_policy_codes()
        self.pairs = [(a, CompiledRule(a, codes)) for a in agreements if a.status == "active"]

    def decide(self, event: EventFacts, recipient: Agency, state: ChildState) -> object:
        rules = [
            rule
            for agreement, rule in self.pairs
            if event.event_type in agreement.event_types
            and (
                agreement.provider.agency == event.provider
                if agreement.provider.agency is not None
                else agreement.provider.kind == event.provider_kind
            )
            and agreement.recipient.matches(recipient)
        ]
        rules.sort(key=lambda r: r.agreement_id)
        return choose_disclosure(rules, event, recipient, state, AT)


def rate(run, count: int) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return count / best


def main() -> None:
    rng = random.Random(20260302)
    directory = build_directory()
    agreements = build_agreements(rng, directory)
    started = time.perf_counter()
    policy = PolicyIndex.compile(agreements, directory)
    compile_ms = (time.perf_counter() - started) * 1000
    workload = build_workload(rng, directory, policy)
    baseline = LinearPolicy(agreements)
    sample = workload[:BASELINE_DECISIONS]

    for event, recipient, state in sample:
        indexed = decide_disclosure(event, recipient, state, policy, AT)
        scanned = baseline.decide(event, recipient, state)
        if indexed != scanned:
            raise SystemExit(f"index and baseline disagree: {indexed!r} != {scanned!r}")
    permits = sum(decide_disclosure(e, r, s, policy, AT).permitted for e, r, s in workload)

    def indexed_run() -> None:
        for event, recipient, state in workload:
            decide_disclosure(event, recipient, state, policy, AT)

    def baseline_run() -> None:
        for event, recipient, state in sample:
            baseline.decide(event, recipient, state)

    indexed_rate = rate(indexed_run, len(workload))
    baseline_rate = rate(baseline_run, len(sample))
    print(f"agreements: {len(agreements)}  agencies: {len(directory.agencies)}")
    print(f"policy index compiled in {compile_ms:.0f} ms")
    print(f"decisions: {len(workload)} ({permits / len(workload):.0%} permits)")
    print(f"decide_disclosure (index):  {indexed_rate:>10,.0f} decisions/s")
    print(f"linear scan (baseline):     {baseline_rate:>10,.0f} decisions/s")
    print(f"ratio: {indexed_rate / baseline_rate:.0f}x")
    report_figures(
        "bench_decide",
        {
            "agreements": len(agreements),
            "agencies": len(directory.agencies),
            "compile_ms": round(compile_ms),
            "decisions": len(workload),
            "permit_share": round(permits / len(workload), 3),
            "indexed_per_s": round(indexed_rate),
            "linear_scan_per_s": round(baseline_rate),
            "ratio": round(indexed_rate / baseline_rate, 1),
        },
    )


if __name__ == "__main__":
    main()
