"""The router across a merge, and decisions per publisher: plain values, then the processor.

The processor runs in process (no broker): its chain tail starts at GENESIS,
its policy holds one agreement, and hand-over records it writes are read
back at once, as the survivor's worker would read them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from rigs.router import Router, attendance

from consent.domain import ChildState
from consent.domain.directive import ConsentDirective, RecordedBy
from consent.domain.period import Period
from consent.records import directive_record
from schemas.samples import sample_event
from services.router.domain.child_state import absorbed_into
from services.router.domain.routing import decision_id

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
A, B = "cr1_" + "a" * 32, "cr1_" + "b" * 32
MERGE_ID = "5c0f9a8e-1b2d-4e3f-8a7b-6c5d4e3f2a1b"


def objection(child_ref: str) -> ConsentDirective:
    return ConsentDirective(
        id="dir-objection",
        child_ref=child_ref,
        kind="objection",
        period=Period(start=datetime(2025, 1, 1, tzinfo=UTC)),
        recorded_by=RecordedBy(role="consent-officer", agency="la-education"),
        recorded_at=AT,
    )


class TestAbsorbedInto:
    def test_facts_join_and_directives_become_the_survivors(self):
        """Rolls, plans and directives of the absorbed child now belong to the survivor."""
        survivor = ChildState(child_ref=B, active_plans=frozenset({"cp"}))
        absorbed = ChildState(
            child_ref=A, on_roll_at=frozenset({"school-1"}), directives=(objection(A),)
        )
        folded = absorbed_into(survivor, absorbed)
        assert folded.on_roll_at == {"school-1"}
        assert folded.active_plans == {"cp"}
        assert [(d.id, d.child_ref) for d in folded.directives] == [("dir-objection", B)]


class TestDecisionIds:
    def test_an_event_id_is_its_publishers_own(self):
        """The same event id from two agencies makes two decisions; from one agency, one."""
        event_id = str(uuid.uuid4())
        first = decision_id("school-1", event_id, "la-education")
        assert first == decision_id("school-1", event_id, "la-education")
        assert first != decision_id("school-2", event_id, "la-education")
        name = f"school-1/{event_id}/la-education"
        assert first == str(uuid.uuid5(uuid.UUID("6f1c2a8e-5b0d-4c7e-9a11-3d2f4e5a6b7c"), name))


def decision(event_type: str) -> dict:
    return sample_event(
        event_type,
        child_ref=A,
        merge_id=str(uuid.uuid4()) if event_type == "ChildRefsMerged" else MERGE_ID,
        surviving_child_ref=B,
        absorbed_child_ref=A,
    )


class TestRouterProcessor:
    @pytest.fixture
    def router(self) -> Router:
        return Router()

    def test_another_agencys_event_with_the_same_id_is_routed_as_its_own(self, router):
        """school-2 reusing school-1's event id: both views, two decisions with two ids."""
        event_id = str(uuid.uuid4())
        first = router.publish("AttendanceMarked", attendance(A, "school-1", event_id))
        second = router.publish("AttendanceMarked", attendance(A, "school-2", event_id))
        views = [router.decoded(w, "view.la-education") for w in (first, second)]
        audits = [router.decoded(w, "audit.disclosures") for w in (first, second)]
        assert [len(v) for v in views] == [1, 1]
        assert [a[0]["decision"] for a in audits] == ["permit", "permit"]
        assert audits[0][0]["event_id"] != audits[1][0]["event_id"]

    def test_an_objection_under_the_absorbed_ref_governs_the_survivor(self, router):
        """Objection recorded under A, A merged into B: B's events are denied to the LA."""
        router.publish("ConsentDirectiveRecorded", directive_record(objection(A)))
        assert router.decoded(
            router.publish("AttendanceMarked", attendance(B, "school-1")), "view.la-education"
        )
        merge = decision("ChildRefsMerged")
        merge["merge_id"] = MERGE_ID
        router.publish("ChildRefsMerged", merge)
        written = router.publish("AttendanceMarked", attendance(B, "school-1"))
        assert router.decoded(written, "view.la-education") == []
        [audit] = router.decoded(written, "audit.disclosures")
        assert (audit["decision"], audit["child_ref"]) == ("deny", B)

    def test_a_late_event_under_the_absorbed_ref_is_routed_as_the_survivors(self, router):
        """An event still published under A is forwarded: its view carries B."""
        merge = decision("ChildRefsMerged")
        merge["merge_id"] = MERGE_ID
        router.publish("ChildRefsMerged", merge)
        written = router.publish("AttendanceMarked", attendance(A, "school-1"))
        [view] = router.decoded(written, "view.la-education")
        assert view["child_ref"] == B
        router.publish("ChildRefsUnmerged", decision("ChildRefsUnmerged"))
        [own] = router.decoded(
            router.publish("AttendanceMarked", attendance(A, "school-1")), "view.la-education"
        )
        assert own["child_ref"] == A
