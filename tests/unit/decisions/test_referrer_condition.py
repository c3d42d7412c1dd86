"""recipient-is-referrer: feedback on a referral reaches its own referrer and nobody else."""

from __future__ import annotations

from datetime import timedelta

import consent_examples as ex

from consent.decision import decide_disclosure
from consent.domain import ChildState, EventFacts, SharingAgreement
from consent.domain.disclosure import Deny, Permit
from consent.index import PolicyIndex
from schemas.catalogue import Catalogue
from schemas.samples import sample_event
from services.config.files import agreement_templates
from services.consent.adapters.agreement_files import read_agreement_files

SCHOOL, OTHER_SCHOOL, POLICE = "school-100001", "school-100002", "police-west"
FEEDBACK_FIELDS = {"outcome", "threshold_level", "reason_category", "next_steps", "contact"}


def _template_index() -> PolicyIndex:
    """The packaged referral templates, compiled against the example directory."""
    drafts = read_agreement_files(agreement_templates()).drafts
    agreements = [
        SharingAgreement.model_validate(
            {**d.model_dump(), "version": 1, "valid_from": ex.AT - timedelta(days=1)}
        )
        for d in drafts
        if d.id.startswith("isa-referral")
    ]
    return PolicyIndex.compile(agreements, ex.directory())


def _decision(referrer: str | None) -> tuple[dict, EventFacts]:
    """A ReferralDecided of the social care service naming `referrer` as the referrer."""
    event = sample_event("ReferralDecided", child_ref=ex.CHILD, referrer_agency=referrer)
    event["source"] = {**event["source"], "agency": "la-social-care"}
    event["occurred_at"] = ex.AT
    facts = EventFacts.from_event(
        event,
        provider_kind="social-care",
        field_classes=Catalogue.load().field_classes("ReferralDecided"),
    )
    return event, facts


class TestReferrerCondition:
    def test_the_event_names_its_referrer(self):
        """EventFacts takes the referrer from the field of role "referrer"."""
        _, facts = _decision(SCHOOL)
        assert facts.referrer == SCHOOL
        attendance = sample_event("AttendanceMarked")
        other = EventFacts.from_event(attendance, provider_kind="school", field_classes={})
        assert other.referrer is None

    def test_only_the_referrer_is_a_candidate(self):
        """Among every school, police force and health body, only the referrer is asked."""
        index = _template_index()
        _, facts = _decision(SCHOOL)
        state = ChildState(child_ref=ex.CHILD, on_roll_at=frozenset({OTHER_SCHOOL}))
        assert [a.id for a in index.candidate_recipients(facts, state)] == [SCHOOL]
        _, none_named = _decision(None)
        assert index.candidate_recipients(none_named, state) == ()

    def test_the_referrer_sees_exactly_the_decision_fields(self):
        """A permit under the feedback template: the envelope and the five decision fields."""
        index = _template_index()
        _, facts = _decision(SCHOOL)
        state = ChildState(child_ref=ex.CHILD)
        decision = decide_disclosure(facts, ex.agency(SCHOOL), state, index, ex.AT)
        assert isinstance(decision, Permit)
        assert decision.agreement_id == "isa-referral-feedback-schools"
        envelope = {"event_id", "event_type", "occurred_at", "recorded_at", "source"}
        assert decision.fields == envelope | {"correlation_id"} | FEEDBACK_FIELDS

    def test_another_school_and_another_kind_are_denied(self):
        """A school with the child on roll but not the referrer is refused, naming the rule."""
        index = _template_index()
        _, facts = _decision(SCHOOL)
        state = ChildState(child_ref=ex.CHILD, on_roll_at=frozenset({OTHER_SCHOOL, SCHOOL}))
        other = decide_disclosure(facts, ex.agency(OTHER_SCHOOL), state, index, ex.AT)
        assert isinstance(other, Deny)
        assert other.reason == "condition-not-met"
        assert "recipient-is-referrer" in other.detail
        police = decide_disclosure(facts, ex.agency(POLICE), state, index, ex.AT)
        assert isinstance(police, Deny)

    def test_a_police_referral_goes_back_to_the_police(self):
        """The same decision naming the police force as referrer is permitted to it alone."""
        index = _template_index()
        _, facts = _decision(POLICE)
        state = ChildState(child_ref=ex.CHILD)
        assert [a.id for a in index.candidate_recipients(facts, state)] == [POLICE]
        permit = decide_disclosure(facts, ex.agency(POLICE), state, index, ex.AT)
        assert isinstance(permit, Permit)
        assert permit.agreement_id == "isa-referral-feedback-police"
