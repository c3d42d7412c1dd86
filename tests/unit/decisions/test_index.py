import consent_examples as ex
import pytest

from consent.exceptions import ConflictingAgreementError, StaleAgreementError
from consent.index import PolicyIndex


class TestPolicyIndex:
    def test_recipient_kind_expands_to_every_agency_of_that_kind(self):
        """A recipient-kind agreement yields rules for each school in the directory."""
        policy = ex.index(ex.agreement(recipient={"kind": "school"}))
        for school in ("school-100001", "school-100002"):
            assert len(policy.rules_for(ex.attendance("school-100002"), school)) == 1
        assert policy.rules_for(ex.attendance(), "la-education") == ()

    def test_rules_only_for_the_matching_provider(self):
        """Rules naming another provider are not returned."""
        policy = ex.index(ex.agreement(provider={"agency": "school-100002"}))
        assert policy.rules_for(ex.attendance("school-100001"), "la-education") == ()
        assert len(policy.rules_for(ex.attendance("school-100002"), "la-education")) == 1

    def test_candidates_are_recipients_with_any_agreement(self):
        """Candidates are the recipients of agreements for this event type and provider."""
        policy = ex.index(
            ex.agreement(),
            ex.agreement(id="isa-vs", recipient={"agency": "virtual-school"}),
            ex.agreement(id="isa-other", event_types=frozenset({"PupilLeftRoll"})),
        )
        ids = [a.id for a in policy.candidate_recipients(ex.attendance())]
        assert ids == ["la-education", "virtual-school"]

    def test_provider_is_never_a_candidate(self):
        """The publishing agency does not receive its own event."""
        policy = ex.index(ex.agreement(recipient={"kind": "school"}))
        ids = [a.id for a in policy.candidate_recipients(ex.attendance("school-100001"))]
        assert ids == ["school-100002"]

    def test_lead_professional_gate_with_state(self):
        """With state, a lead-professional-only recipient is a candidate only when lead."""
        policy = ex.index(ex.agreement(conditions=frozenset({"recipient-is-lead-professional"})))
        lead = ex.state(lead_professional="la-education")
        assert [a.id for a in policy.candidate_recipients(ex.attendance(), lead)] == [
            "la-education"
        ]
        assert policy.candidate_recipients(ex.attendance(), ex.state()) == ()

    def test_policy_version_is_stable_and_tracks_changes(self):
        """The same agreements hash the same whatever their order; a change changes it."""
        first = ex.agreement()
        second = ex.agreement(id="isa-vs", recipient={"agency": "virtual-school"})
        assert ex.index(first, second).policy_version == ex.index(second, first).policy_version
        changed = ex.index(first, second).with_agreement(second.model_copy(update={"version": 2}))
        assert changed.policy_version != ex.index(first, second).policy_version

    def test_retirement_removes_the_rules(self):
        """Applying a retired version leaves no rule and no candidate."""
        policy = ex.index(ex.agreement())
        retired = policy.with_agreement(ex.agreement(version=2, status="retired"))
        assert retired.rules_for(ex.attendance(), "la-education") == ()
        assert retired.candidate_recipients(ex.attendance()) == ()
        assert policy.rules_for(ex.attendance(), "la-education") != ()

    def test_reapplying_the_same_version_is_idempotent(self):
        """A redelivered agreement version returns the same index."""
        policy = ex.index(ex.agreement())
        assert policy.with_agreement(ex.agreement()) is policy

    def test_older_version_is_refused(self):
        """An older version than the one applied raises StaleAgreementError."""
        policy = ex.index(ex.agreement(version=3))
        with pytest.raises(StaleAgreementError, match="version 2 is older than version 3"):
            policy.with_agreement(ex.agreement(version=2))

    def test_same_version_different_content_is_refused(self):
        """Two different agreements under one id and version raise ConflictingAgreementError."""
        with pytest.raises(ConflictingAgreementError):
            PolicyIndex.compile([ex.agreement(), ex.agreement(title="Changed")], ex.directory())

    def test_compile_keeps_the_newest_version(self):
        """Compiling a history keeps only the newest version of each agreement."""
        policy = ex.index(ex.agreement(version=2, purpose="education-welfare"), ex.agreement())
        agreement = policy.agreement("isa-attendance")
        assert agreement is not None
        assert agreement.version == 2
        assert len(policy.agreements) == 1
