"""A referrer's referrals from its view, and disagreeing with a decision (no I/O)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.alerts.adapters.referral_feed import loop_event
from services.alerts.domain.partnership import PartnershipLedger
from services.alerts.domain.referrals import ReferralBook
from services.alerts.domain.users import DutyUser, token_digest
from services.alerts.entrypoints.referral_pages import referral_row, referrals_section
from services.alerts.exceptions import (
    BusUnavailableError,
    DisagreementRefusedError,
    ForbiddenError,
    UnknownReferralError,
)
from services.alerts.referral_handlers import (
    ReferralsContext,
    list_referrals,
    raise_disagreement,
)
from services.alerts.referral_samples import decision_fields, loop_record

SCHOOL = "school-100001"
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


class RecordingSink:
    """Keeps what it was asked to publish; `fail` makes it refuse like an outage would."""

    def __init__(self) -> None:
        self.published: list[dict] = []
        self.error: Exception | None = None

    async def publish(self, event) -> None:
        if self.error is not None:
            raise self.error
        self.published.append(dict(event))


def _event(event_type: str, fields: dict, referral: str = "ref-1", **kwargs):
    return loop_event(loop_record(SCHOOL, event_type, referral, fields, **kwargs))


@pytest.fixture
def book() -> ReferralBook:
    return ReferralBook()


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def ctx(book, sink) -> ReferralsContext:
    return ReferralsContext(book, PartnershipLedger({}), sink, lambda: NOW, 5)


class TestReferralBook:
    def test_status_follows_the_disclosed_events(self, book):
        """Received: waiting; decided: decided; to assessment: assessment; completed: closed."""
        book.record(_event("ReferralReceived", {}))
        assert book.get(SCHOOL, "ref-1").status == "waiting"
        book.record(_event("ReferralDecided", decision_fields("child_in_need_assessment")))
        assert book.get(SCHOOL, "ref-1").status == "assessment"
        book.record(_event("AssessmentCompleted", {"outcome": "child_in_need_plan"}))
        closed = book.get(SCHOOL, "ref-1")
        assert closed.status == "closed"
        assert closed.assessment_outcome == "child_in_need_plan"

    def test_an_undisclosed_field_stays_unknown(self, book):
        """A decision without next steps (not permitted) shows them as not disclosed."""
        fields = decision_fields()
        del fields["next_steps"]
        book.record(_event("ReferralDecided", fields))
        referral = book.get(SCHOOL, "ref-1")
        assert referral.status == "decided"
        assert referral.decision["next_steps"] is None
        assert "not disclosed" in referral_row(referral)

    def test_the_same_event_twice_counts_once_and_other_agencies_see_nothing(self, book):
        """A repeated view record is folded once; a referral is its referrer's only."""
        event = _event("ReferralDecided", decision_fields())
        book.record(event)
        assert book.record(event) is None
        assert book.of("school-100002") == []

    def test_events_without_a_referral_id_are_not_loop_events(self):
        """A view record with no correlation_id is not part of any referral."""
        record = loop_record(SCHOOL, "ReferralDecided", "x", decision_fields())
        record["correlation_id"] = None
        assert loop_event(record) is None


class TestDisagreement:
    async def test_two_clicks_publish_one_stage_one_disagreement(self, ctx, book, sink, manager):
        """The disagreement names the referrer, the social care service, the decision's referral."""
        book.record(_event("ReferralDecided", decision_fields(), child_ref="cr1_" + "x" * 32))
        changed = await raise_disagreement(ctx, manager, "ref-1")
        (event,) = sink.published
        assert event["event_type"] == "ProfessionalDisagreementRaised"
        assert event["correlation_id"] == "ref-1"
        assert event["source"]["agency"] == SCHOOL
        assert (event["referrer_agency"], event["raised_with"], event["stage"]) == (
            SCHOOL,
            "la-social-care",
            1,
        )
        assert event["child_ref"] == "cr1_" + "x" * 32
        assert not changed.may_disagree
        with pytest.raises(DisagreementRefusedError, match="already open"):
            await raise_disagreement(ctx, manager, "ref-1")

    async def test_no_decision_no_disagreement(self, ctx, book, manager):
        """A referral only received cannot be disagreed with yet."""
        book.record(_event("ReferralReceived", {}))
        with pytest.raises(DisagreementRefusedError, match="no decision"):
            await raise_disagreement(ctx, manager, "ref-1")

    async def test_another_agencys_referral_is_not_found(self, ctx, book, outsider):
        """A referral of school-100001 does not exist for school-100002's DSL."""
        book.record(_event("ReferralDecided", decision_fields()))
        with pytest.raises(UnknownReferralError):
            await raise_disagreement(ctx, outsider, "ref-1")

    async def test_an_outage_leaves_the_referral_open_to_retry(self, ctx, book, sink, manager):
        """The sink's failure propagates (503 at the HTTP edge) and nothing is marked."""
        book.record(_event("ReferralDecided", decision_fields()))
        sink.error = BusUnavailableError("down")
        with pytest.raises(BusUnavailableError):
            await raise_disagreement(ctx, manager, "ref-1")
        assert book.get(SCHOOL, "ref-1").may_disagree

    async def test_a_retried_click_publishes_the_same_event_id(self, sink, manager):
        """The event id comes from agency, referral and decision: after a restart, the same."""
        for _ in range(2):  # two service lifetimes, each with its board rebuilt from the view
            book = ReferralBook()
            book.record(_event("ReferralDecided", decision_fields(), event_id="decision-1"))
            ctx = ReferralsContext(book, PartnershipLedger({}), sink, lambda: NOW, 5)
            await raise_disagreement(ctx, manager, "ref-1")
        first, second = sink.published
        assert first["event_id"] == second["event_id"]

    def test_a_partnership_analyst_sees_no_referral(self, ctx):
        """The analyst role is for aggregates only."""
        analyst = DutyUser(
            id="analyst",
            name="Analyst",
            agency="safeguarding-partnership",
            role="partnership-analyst",
            token_sha256=token_digest("t"),
        )
        with pytest.raises(ForbiddenError):
            list_referrals(ctx, analyst)


class TestReferralRows:
    def test_values_are_escaped_and_codes_shown_by_meaning(self, book):
        """Next steps with markup are escaped; the reason category shows its meaning."""
        fields = decision_fields(next_steps="<script>alert(1)</script>")
        book.record(_event("ReferralDecided", fields))
        row = referral_row(book.get(SCHOOL, "ref-1"))
        assert "<script>" not in row
        assert "&lt;script&gt;" in row
        assert "early help offer is appropriate" in row
        assert 'data-action="disagree"' in row

    def test_an_agency_without_referrals_gets_no_section(self):
        """Social care's duty desk has no referrals of its own: no empty section."""
        assert referrals_section([]) == ""
