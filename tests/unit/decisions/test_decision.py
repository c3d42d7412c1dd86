from datetime import timedelta

import consent_examples as ex

from consent.decision import decide_disclosure
from consent.domain import ENVELOPE_OPERATIONAL_FIELDS, Deny, Permit


def decide(policy, *, event=None, recipient="la-education", state=None, at=ex.AT):
    return decide_disclosure(
        event or ex.attendance(), ex.agency(recipient), state or ex.state(), policy, at
    )


class TestDecideDisclosure:
    def test_permit_carries_agreement_basis_purpose_and_exact_fields(self):
        """A matching agreement permits the envelope plus the fields of its data classes."""
        disclosure = decide(ex.index(ex.agreement()))
        assert isinstance(disclosure, Permit)
        assert disclosure.fields == ENVELOPE_OPERATIONAL_FIELDS | {
            "school",
            "session_date",
            "session",
            "register_code",
            "minutes_late",
        }
        assert (disclosure.agreement_id, disclosure.agreement_version) == ("isa-attendance", 1)
        assert disclosure.legal_basis == "public-task-ca2004-s16la"
        assert disclosure.purpose == "attendance-support"
        assert not disclosure.override

    def test_child_ref_only_when_identifying_class_allowed(self):
        """The pseudonymous child_ref is identifying: it needs that class or an explicit name."""
        without = decide(ex.index(ex.agreement()))
        named = decide(ex.index(ex.agreement(fields=frozenset({"child_ref"}))))
        assert isinstance(without, Permit)
        assert isinstance(named, Permit)
        assert "child_ref" not in without.fields
        assert "child_ref" in named.fields

    def test_explicit_fields_without_classes(self):
        """Explicitly listed fields are disclosed without their whole data class."""
        policy = ex.index(ex.agreement(data_classes=frozenset(), fields=frozenset({"session"})))
        disclosure = decide(policy)
        assert isinstance(disclosure, Permit)
        assert disclosure.fields == ENVELOPE_OPERATIONAL_FIELDS | {"session"}

    def test_signal_only_agreement_discloses_the_envelope(self):
        """An agreement with no classes and no fields shares the envelope only (a signal)."""
        disclosure = decide(ex.index(ex.agreement(data_classes=frozenset())))
        assert isinstance(disclosure, Permit)
        assert disclosure.fields == ENVELOPE_OPERATIONAL_FIELDS

    def test_no_agreement_denies(self):
        """An empty policy denies with reason no-agreement."""
        disclosure = decide(ex.index())
        assert isinstance(disclosure, Deny)
        assert disclosure.reason == "no-agreement"

    def test_other_provider_denies(self):
        """An agreement naming another provider does not match."""
        policy = ex.index(ex.agreement(provider={"agency": "school-100002"}))
        assert decide(policy).permitted is False

    def test_not_yet_valid_agreement_denies(self):
        """An agreement whose validity starts after the decision time does not apply."""
        disclosure = decide(ex.index(ex.agreement(valid_from=ex.AT + timedelta(seconds=1))))
        assert isinstance(disclosure, Deny)
        assert disclosure.reason == "agreement-not-in-force"

    def test_valid_to_is_exclusive(self):
        """An agreement ending exactly at the decision time no longer applies."""
        disclosure = decide(ex.index(ex.agreement(valid_to=ex.AT)))
        assert isinstance(disclosure, Deny)
        assert disclosure.agreement_id == "isa-attendance"

    def test_retired_agreement_denies(self):
        """A retired agreement is not in the index."""
        disclosure = decide(ex.index(ex.agreement(status="retired")))
        assert isinstance(disclosure, Deny)
        assert disclosure.reason == "no-agreement"

    def test_unmet_condition_denies_naming_it(self):
        """A condition that does not hold denies and says which."""
        policy = ex.index(ex.agreement(conditions=frozenset({"child-is-looked-after"})))
        disclosure = decide(policy)
        assert isinstance(disclosure, Deny)
        assert disclosure.reason == "condition-not-met"
        assert "child-is-looked-after" in disclosure.detail

    def test_lead_professional_condition(self):
        """recipient-is-lead-professional holds only for the lead professional's agency."""
        policy = ex.index(ex.agreement(conditions=frozenset({"recipient-is-lead-professional"})))
        lead = ex.state(lead_professional="la-education")
        other = ex.state(lead_professional="la-social-care")
        assert decide(policy, state=lead).permitted
        assert not decide(policy, state=other).permitted

    def test_withdrawal_for_another_purpose_does_not_apply(self):
        """A withdrawal for early help leaves attendance support alone."""
        state = ex.state(directives=(ex.withdrawal(purpose="early-help"),))
        assert decide(ex.index(ex.agreement()), state=state).permitted

    def test_withdrawal_for_another_recipient_does_not_apply(self):
        """A withdrawal naming another agency leaves this recipient alone."""
        state = ex.state(directives=(ex.withdrawal(recipient={"agency": "la-social-care"}),))
        assert decide(ex.index(ex.agreement()), state=state).permitted

    def test_withdrawal_outside_its_period_does_not_apply(self):
        """A withdrawal that starts after the decision time does not apply yet."""
        later = ex.withdrawal(period={"start": ex.AT + timedelta(days=1)})
        assert decide(ex.index(ex.agreement()), state=ex.state(directives=(later,))).permitted

    def test_later_consent_supersedes_withdrawal(self):
        """The most recently recorded applicable directive governs."""
        given = ex.withdrawal(id="dir-2", kind="given", recorded_at=ex.AT - timedelta(hours=1))
        state = ex.state(directives=(ex.withdrawal(), given))
        assert decide(ex.index(ex.agreement()), state=state).permitted

    def test_objection_denies_without_safeguarding_basis(self):
        """An objection stops a public-task share that is not a safeguarding basis."""
        state = ex.state(directives=(ex.withdrawal(kind="objection"),))
        disclosure = decide(ex.index(ex.agreement()), state=state)
        assert isinstance(disclosure, Deny)
        assert disclosure.reason == "consent-withdrawn"
        assert "dir-1" in disclosure.detail

    def test_consent_basis_needs_consent_given(self):
        """An Art 6(1)(a) agreement permits only with consent recorded."""
        policy = ex.index(ex.agreement(legal_basis="consent", purpose="early-help"))
        missing = decide(policy)
        given = decide(policy, state=ex.state(directives=(ex.withdrawal(kind="given"),)))
        assert isinstance(missing, Deny)
        assert missing.reason == "consent-not-given"
        assert given.permitted

    def test_prefers_agreement_without_override(self):
        """Of two matching agreements, the one that needs no override is cited."""
        policy = ex.index(
            ex.agreement(id="a-safeguarding", legal_basis="public-task-ca1989-s47"),
            ex.agreement(
                id="b-welfare",
                purpose="education-welfare",
                data_classes=frozenset({"operational"}),
            ),
        )
        state = ex.state(directives=(ex.withdrawal(purpose="attendance-support"),))
        disclosure = decide(policy, state=state)
        assert isinstance(disclosure, Permit)
        assert disclosure.agreement_id == "b-welfare"
        assert not disclosure.override

    def test_prefers_widest_field_set_never_a_union(self):
        """Of two agreements without override, the wider one is cited, alone."""
        policy = ex.index(
            ex.agreement(id="a-narrow", data_classes=frozenset(), fields=frozenset({"session"})),
            ex.agreement(id="b-wide", data_classes=frozenset({"operational"})),
        )
        disclosure = decide(policy)
        assert isinstance(disclosure, Permit)
        assert disclosure.agreement_id == "b-wide"
        assert "register_code" not in disclosure.fields

    def test_equal_field_sets_choose_lowest_id(self):
        """Ties go to the lowest agreement id, so the choice is deterministic."""
        policy = ex.index(ex.agreement(id="b-second"), ex.agreement(id="a-first"))
        disclosure = decide(policy)
        assert isinstance(disclosure, Permit)
        assert disclosure.agreement_id == "a-first"

    def test_deny_reports_the_furthest_reason(self):
        """With one expired and one conditional agreement, the condition is reported."""
        policy = ex.index(
            ex.agreement(id="a-expired", valid_to=ex.AT - timedelta(days=1)),
            ex.agreement(id="b-cp", conditions=frozenset({"child-has-active-cp-plan"})),
        )
        disclosure = decide(policy)
        assert isinstance(disclosure, Deny)
        assert (disclosure.reason, disclosure.agreement_id) == ("condition-not-met", "b-cp")

    def test_recipient_role_travels_on_the_permit(self):
        """The agreement's recipient team and role are on the permit for routing."""
        recipient = {"agency": "la-education", "team": "attendance", "role": "officer"}
        disclosure = decide(ex.index(ex.agreement(recipient=recipient)))
        assert isinstance(disclosure, Permit)
        assert (disclosure.recipient_team, disclosure.recipient_role) == ("attendance", "officer")

    def test_permit_survives_validation_round_trip(self):
        """The hot path's unvalidated permit is a valid Permit."""
        disclosure = decide(ex.index(ex.agreement()))
        assert Permit.model_validate(disclosure.model_dump()) == disclosure

    def test_kept_permit_follows_changed_field_classes(self):
        """A new schema version's field classes change the permit's fields."""
        policy = ex.index(ex.agreement())
        decide(policy)
        evolved = {**ex.ATTENDANCE_FIELDS, "reason_note": "special-category"}
        event = ex.attendance()
        event = ex.EventFacts(
            event.event_type, event.provider, event.provider_kind, ex.CHILD, ex.AT, evolved
        )
        disclosure = decide(policy, event=event)
        assert isinstance(disclosure, Permit)
        assert "reason_note" in disclosure.fields
