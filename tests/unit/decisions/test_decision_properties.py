from datetime import timedelta

import consent_examples as ex
from hypothesis import given
from hypothesis import strategies as st

from consent.decision import decide_disclosure
from consent.domain import (
    ENVELOPE_OPERATIONAL_FIELDS,
    ChildState,
    Deny,
    EventFacts,
    Permit,
    load_policy_codes,
)
from consent.domain.agreement import CONDITIONS

CLASSES = ("identifying", "special-category", "contact", "operational")
FIELD_NAMES = ("school", "session", "register_code", "circumstances", "officer_contact", "x1")
RECIPIENTS = ("la-education", "la-social-care", "school-100001", "virtual-school")


def _bases(*, safeguarding: bool) -> list[str]:
    codes = load_policy_codes().legal_bases.values()
    return sorted(
        b.code for b in codes if b.safeguarding == safeguarding and not b.requires_consent
    )


field_classes = st.dictionaries(st.sampled_from(FIELD_NAMES), st.sampled_from(CLASSES)).map(
    lambda extra: {**ex.ENVELOPE, **extra}
)
states = st.builds(
    ChildState,
    child_ref=st.just(ex.CHILD),
    on_roll_at=st.frozensets(st.sampled_from(RECIPIENTS)),
    active_plans=st.frozensets(st.sampled_from(("cp", "cin"))),
    looked_after=st.booleans(),
    lead_professional=st.none() | st.sampled_from(RECIPIENTS),
)


@st.composite
def agreements(draw, *, legal_bases=None, conditions=True, valid=True):
    number = draw(st.integers(0, 999))
    start = ex.AT - timedelta(days=draw(st.integers(1, 900)))
    end = None
    if not valid:
        end = ex.AT - timedelta(seconds=draw(st.integers(0, 86_399)))
    elif draw(st.booleans()):
        end = ex.AT + timedelta(days=draw(st.integers(1, 900)))
    return ex.agreement(
        id=f"isa-{number:03d}",
        provider={"kind": "school"} if draw(st.booleans()) else {"agency": "school-100002"},
        recipient={"agency": draw(st.sampled_from(RECIPIENTS))},
        data_classes=draw(st.frozensets(st.sampled_from(CLASSES))),
        fields=draw(st.frozensets(st.sampled_from(FIELD_NAMES))),
        purpose=draw(st.sampled_from(sorted(load_policy_codes().purposes))),
        legal_basis=draw(st.sampled_from(legal_bases or sorted(load_policy_codes().legal_bases))),
        conditions=draw(st.frozensets(st.sampled_from(CONDITIONS))) if conditions else frozenset(),
        valid_from=start,
        valid_to=end if end is None or end > start else None,
    )


def event(classes, provider="school-100002"):
    return EventFacts("AttendanceMarked", provider, "school", ex.CHILD, ex.AT, classes)


class TestDecisionInvariants:
    @given(st.lists(agreements(), max_size=6, unique_by=lambda a: a.id), field_classes, states)
    def test_never_a_field_outside_the_agreement(self, agreed, classes, state):
        """A permit discloses only the envelope and what its one cited agreement allows."""
        policy = ex.index(*agreed)
        for recipient in RECIPIENTS:
            disclosure = decide_disclosure(
                event(classes), ex.agency(recipient), state, policy, ex.AT
            )
            if isinstance(disclosure, Permit):
                cited = policy.agreement(disclosure.agreement_id)
                assert cited is not None
                allowed = {n for n, c in classes.items() if c in cited.data_classes}
                allowed |= cited.fields & classes.keys()
                assert disclosure.fields <= ENVELOPE_OPERATIONAL_FIELDS | allowed

    @given(st.lists(agreements(), max_size=6, unique_by=lambda a: a.id), field_classes, states)
    def test_no_agreement_denies(self, agreed, classes, state):
        """With no agreement for the event type, every recipient is denied."""
        policy = ex.index(
            *(a.model_copy(update={"event_types": {"PupilLeftRoll"}}) for a in agreed)
        )
        for recipient in RECIPIENTS:
            disclosure = decide_disclosure(
                event(classes), ex.agency(recipient), state, policy, ex.AT
            )
            assert isinstance(disclosure, Deny)
            assert disclosure.reason == "no-agreement"

    @given(
        st.lists(agreements(valid=False), min_size=1, max_size=6, unique_by=lambda a: a.id),
        field_classes,
        states,
    )
    def test_expired_agreement_denies(self, agreed, classes, state):
        """Agreements whose validity ended are never cited."""
        policy = ex.index(*agreed)
        for recipient in RECIPIENTS:
            disclosure = decide_disclosure(
                event(classes), ex.agency(recipient), state, policy, ex.AT
            )
            assert isinstance(disclosure, Deny)

    @given(
        st.lists(
            agreements(legal_bases=_bases(safeguarding=False), conditions=False),
            min_size=1,
            max_size=6,
            unique_by=lambda a: a.id,
        ),
        field_classes,
        states,
        st.sampled_from(("withdrawn", "objection")),
    )
    def test_withdrawal_without_safeguarding_basis_denies(self, agreed, classes, state, kind):
        """A withdrawal or objection for every purpose stops every non-safeguarding share."""
        blocked = state.model_copy(update={"directives": (ex.withdrawal(kind=kind),)})
        policy = ex.index(*agreed)
        for recipient in RECIPIENTS:
            disclosure = decide_disclosure(
                event(classes), ex.agency(recipient), blocked, policy, ex.AT
            )
            assert isinstance(disclosure, Deny)

    @given(
        agreements(legal_bases=_bases(safeguarding=True), conditions=False),
        field_classes,
        states,
        st.sampled_from(("withdrawn", "objection")),
    )
    def test_withdrawal_with_safeguarding_basis_permits_with_override(
        self, agreed, classes, state, kind
    ):
        """A safeguarding basis overrides a withdrawal and the permit records it."""
        blocked = state.model_copy(update={"directives": (ex.withdrawal(kind=kind),)})
        policy = ex.index(agreed)
        recipient = ex.agency(str(agreed.recipient.agency))
        disclosure = decide_disclosure(event(classes), recipient, blocked, policy, ex.AT)
        assert isinstance(disclosure, Permit)
        assert disclosure.override
        assert disclosure.overridden_directive_id == "dir-1"
        assert disclosure.agreement_id == agreed.id
