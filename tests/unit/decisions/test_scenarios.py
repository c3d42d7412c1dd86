import consent_examples as ex

from consent.decision import decide_disclosure
from consent.domain import Permit


def attendance_to_schools():
    """Attendance from any school to the school that has the child on roll."""
    return ex.agreement(
        id="isa-attendance-school",
        recipient={"kind": "school", "role": "attendance-lead"},
        conditions=frozenset({"recipient-has-child-on-roll"}),
    )


def operation_encompass():
    """Police domestic abuse notifications to the school's designated safeguarding lead."""
    return ex.agreement(
        id="isa-operation-encompass",
        title="Operation Encompass",
        provider={"kind": "police"},
        recipient={"kind": "school", "role": "designated-safeguarding-lead"},
        event_types=frozenset({"DomesticAbuseIncidentNotified"}),
        data_classes=frozenset({"operational", "special-category", "contact"}),
        purpose="safeguarding",
        legal_basis="safeguarding-special-category",
        conditions=frozenset({"recipient-has-child-on-roll"}),
    )


def attendance_to_social_care():
    """Attendance to children's social care for children on a protection plan."""
    return ex.agreement(
        id="isa-attendance-cp",
        recipient={"agency": "la-social-care"},
        purpose="safeguarding",
        legal_basis="public-task-ca1989-s47",
        conditions=frozenset({"child-has-active-cp-plan"}),
    )


class TestScenarios:
    def test_school_sees_attendance_of_children_on_its_roll_only(self):
        """A school is permitted attendance for its own pupil, denied for another's."""
        policy = ex.index(attendance_to_schools())
        own = decide_disclosure(
            ex.attendance(), ex.agency("school-100001"), ex.state(), policy, ex.AT
        )
        other = decide_disclosure(
            ex.attendance(), ex.agency("school-100002"), ex.state(), policy, ex.AT
        )
        assert own.permitted
        assert not other.permitted

    def test_school_candidates_narrowed_to_the_roll(self):
        """Only the school with the child on roll is a candidate recipient."""
        policy = ex.index(attendance_to_schools())
        candidates = policy.candidate_recipients(ex.attendance("school-100002"), ex.state())
        assert [a.id for a in candidates] == ["school-100001"]

    def test_domestic_abuse_reaches_the_dsl_under_safeguarding_basis(self):
        """Operation Encompass reaches the DSL under Art 9(2)(g) with Sch 1 para 18."""
        policy = ex.index(operation_encompass())
        disclosure = decide_disclosure(
            ex.domestic_abuse(), ex.agency("school-100001"), ex.state(), policy, ex.AT
        )
        assert isinstance(disclosure, Permit)
        assert disclosure.recipient_role == "designated-safeguarding-lead"
        assert disclosure.legal_basis == "safeguarding-special-category"
        assert {"circumstances", "child_present", "officer_contact"} <= disclosure.fields
        assert "police_reference" not in disclosure.fields

    def test_domestic_abuse_notified_despite_objection_with_override(self):
        """An objection does not stop Operation Encompass; the override is recorded."""
        state = ex.state(directives=(ex.withdrawal(kind="objection"),))
        policy = ex.index(operation_encompass())
        disclosure = decide_disclosure(
            ex.domestic_abuse(), ex.agency("school-100001"), state, policy, ex.AT
        )
        assert isinstance(disclosure, Permit)
        assert disclosure.override

    def test_social_care_sees_attendance_only_with_active_cp_plan(self):
        """Social care gets attendance only while the child has a protection plan."""
        policy = ex.index(attendance_to_social_care())
        social_care = ex.agency("la-social-care")
        on_plan = ex.state(active_plans=frozenset({"cp"}))
        in_need = ex.state(active_plans=frozenset({"cin"}))
        assert decide_disclosure(ex.attendance(), social_care, on_plan, policy, ex.AT).permitted
        assert not decide_disclosure(ex.attendance(), social_care, in_need, policy, ex.AT).permitted
