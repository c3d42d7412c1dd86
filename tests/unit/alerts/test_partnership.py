"""The partnership's aggregates: equal to a brute-force count, never a cell under the minimum."""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from rigs.referral_counts import brute_force

from services.alerts.adapters.referral_feed import loop_event
from services.alerts.domain.partnership import PartnershipLedger, percentile
from services.alerts.domain.users import DutyUser, token_digest
from services.alerts.entrypoints.referral_pages import partnership_page
from services.alerts.referral_samples import decision_fields, loop_record

LONDON = ZoneInfo("Europe/London")
PARTNERSHIP = "safeguarding-partnership"
KINDS = {
    "school-1": "school",
    "school-2": "school",
    "police-west": "police",
    "health-trust": "health",
    "la-social-care": "social-care",
}
OUTCOMES = [
    "no_further_action",
    "universal_services",
    "early_help",
    "child_in_need_assessment",
    "section_47_enquiry",
]
ANALYST = DutyUser(
    id="analyst",
    name="Partnership analyst",
    agency=PARTNERSHIP,
    role="partnership-analyst",
    token_sha256=token_digest("t-analyst"),
)


def story(seed: int, referrals: int) -> list[dict]:
    """View records of `referrals` referrals over three months, shuffled within each referral's
    partition order as the router may interleave agencies' topics."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    records: list[dict] = []
    start = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
    for number in range(referrals):
        referral = f"ref-{seed}-{number}"
        made = start + dt.timedelta(hours=rng.randint(0, 24 * 85))
        referrer = rng.choice([*list(KINDS)[:4], None])
        events = []
        if referrer is None:  # a member of the public: social care records the receipt only
            fields = {"referrer_agency": None}
            events.append(
                loop_record(PARTNERSHIP, "ReferralReceived", referral, fields, occurred_at=made)
            )
        else:
            events.append(
                loop_record(
                    PARTNERSHIP,
                    "ReferralMade",
                    referral,
                    {},
                    source_agency=referrer,
                    occurred_at=made,
                )
            )
        if rng.random() < 0.85:
            decided = made + dt.timedelta(hours=rng.randint(1, 60))
            fields = decision_fields(rng.choice(OUTCOMES))
            fields |= {"referrer_agency": referrer, "decided_at": decided.isoformat()}
            routed = decided + dt.timedelta(minutes=rng.randint(0, 3000))
            events.append(
                loop_record(
                    PARTNERSHIP,
                    "ReferralDecided",
                    referral,
                    fields,
                    occurred_at=decided,
                    routed_at=routed,
                )
            )
            if referrer is not None and rng.random() < 0.3:
                raised = decided + dt.timedelta(days=1)
                events.append(
                    loop_record(
                        PARTNERSHIP,
                        "ProfessionalDisagreementRaised",
                        referral,
                        {"stage": 1},
                        source_agency=referrer,
                        occurred_at=raised,
                    )
                )
                stage = rng.randint(1, 3)
                if stage > 1:
                    events.append(
                        loop_record(
                            PARTNERSHIP,
                            "ProfessionalDisagreementEscalated",
                            referral,
                            {"stage": stage},
                            occurred_at=raised,
                        )
                    )
                if rng.random() < 0.6:
                    end = rng.choice(["decision_stands", "decision_changed", "withdrawn"])
                    events.append(
                        loop_record(
                            PARTNERSHIP,
                            "ProfessionalDisagreementResolved",
                            referral,
                            {"stage": stage, "outcome": end},
                            occurred_at=raised,
                        )
                    )
        if rng.random() < 0.5:  # decision read before the referral (another agency's topic)
            events.reverse()
        records.extend(events)
    for record in records:
        record["event_id"] = str(uuid.uuid4())
    return records


def _ledger(records: list[dict]) -> PartnershipLedger:
    ledger = PartnershipLedger(KINDS, LONDON)
    for record in records:
        event = loop_event(record)
        assert event is not None
        ledger.record(event)
    return ledger


class TestPartnershipFigures:
    @pytest.mark.parametrize(("seed", "minimum"), [(1, 5), (2, 5), (3, 1), (4, 10)])
    def test_figures_equal_a_brute_force_count(self, seed, minimum):
        """Every count, rate and percentile equals the naive recount, suppression included."""
        records = story(seed, 400)
        figures = _ledger(records).figures(minimum).as_json()
        assert figures == brute_force(records, KINDS, minimum, LONDON)
        assert any(cell["count"] is None for cell in figures["referrals"]) or minimum == 1

    def test_no_cell_under_the_minimum_is_shown(self):
        """Counts, conversion bases and percentile bases are all at least the minimum."""
        figures = _ledger(story(5, 150)).figures(5).as_json()
        shown = [c["count"] for c in figures["referrals"] + figures["disagreements"]]
        shown += [c["decided"] for c in figures["conversion"]]
        shown += [t["count"] for t in figures["timeliness"]]
        assert all(count is None or count >= 5 for count in shown)
        assert None in shown

    def test_a_repeated_event_is_counted_once(self):
        """The view is read at least once: a duplicate record changes nothing."""
        records = story(6, 60)
        once = _ledger(records).figures(1).as_json()
        assert _ledger(records + records[:20]).figures(1).as_json() == once

    def test_percentiles_are_nearest_rank(self):
        """p50 of 1..10 is 5, p90 is 9."""
        values = [float(v) for v in range(10, 0, -1)]
        assert (percentile(values, 0.5), percentile(values, 0.9)) == (5.0, 9.0)


class TestPartnershipPage:
    def test_charts_never_print_a_suppressed_count(self):
        """Every number drawn in the SVG charts is a shown count, or the minimum in a note."""
        figures = _ledger(story(7, 120)).figures(5)
        page = partnership_page(ANALYST, figures)
        assert page.count("<svg") >= 4
        drawn = {int(n) for n in re.findall(r": (\d+)</title>", page)}
        shown = {c.count for c in figures.referrals + figures.disagreements if c.count}
        assert drawn <= shown
        assert "cell(s) &lt;5" in page

    def test_the_page_holds_no_child_ref_or_referral_id(self):
        """Aggregates only: nothing identifying reaches the page."""
        records = story(8, 80)
        page = partnership_page(ANALYST, _ledger(records).figures(5))
        assert "cr1_" not in page
        assert "ref-8-" not in page
