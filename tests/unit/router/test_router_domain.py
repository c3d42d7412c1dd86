"""The router's pure parts: child state folding, routing, the audit hash chain."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest

from consent.decision import decide_disclosure
from consent.domain import (
    Agency,
    AgencyDirectory,
    AgencySelector,
    ChildState,
    EventFacts,
    RecipientSelector,
    SharingAgreement,
)
from consent.index import PolicyIndex
from schemas.catalogue import Catalogue
from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.audit.chain import (
    GENESIS,
    content_hash,
    encoded_hash,
    seal_encoded,
    verify_chain,
)
from services.router.domain.child_state import states_for
from services.router.domain.routing import route

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHILD = "cr1_exampleexampleexampleexample00"
DIRECTORY = AgencyDirectory(
    agencies=(
        Agency(id="school-1", kind="school", name="School 1", duty_contact="dsl@s1.example"),
        Agency(id="school-2", kind="school", name="School 2", duty_contact="dsl@s2.example"),
        Agency(id="la-education", kind="local-authority", name="LA", duty_contact="la@la.example"),
    )
)
CLASSES = {
    "event_id": "operational",
    "event_type": "operational",
    "occurred_at": "operational",
    "recorded_at": "operational",
    "source": "operational",
    "child_ref": "identifying",
    "correlation_id": "operational",
    "school": "operational",
    "session_date": "operational",
    "session": "operational",
    "register_code": "special-category",
    "minutes_late": "operational",
}


def _event(event_type: str = "AttendanceMarked", **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "event_id": uuid.uuid4(),
        "event_type": event_type,
        "occurred_at": AT,
        "recorded_at": AT,
        "source": {"agency": "school-1", "system": "mis", "practitioner_role": None},
        "child_ref": CHILD,
        "correlation_id": None,
    }
    return {**base, **fields}


def _attendance() -> dict[str, object]:
    return _event(
        school="school-1",
        session_date=date(2026, 3, 2),
        session="AM",
        register_code="N",
        minutes_late=None,
    )


def _agreement(**changes: object) -> SharingAgreement:
    values: dict[str, object] = {
        "id": "isa-attendance",
        "version": 1,
        "title": "Attendance to the LA",
        "provider": AgencySelector(kind="school"),
        "recipient": RecipientSelector(agency="la-education"),
        "event_types": frozenset({"AttendanceMarked"}),
        "data_classes": frozenset({"operational"}),
        "purpose": "attendance-support",
        "legal_basis": "public-task-ca2004-s16la",
        "valid_from": datetime(2025, 1, 1, tzinfo=UTC),
    }
    values.update(changes)
    return SharingAgreement(**values)  # type: ignore[arg-type]


def _route(event: dict[str, object], index: PolicyIndex, state: ChildState):
    facts = EventFacts.from_event(event, provider_kind="school", field_classes=CLASSES)

    def decide(f: EventFacts, r: Agency, s: ChildState, at: datetime):
        return decide_disclosure(f, r, s, index, at)

    recipients = index.candidate_recipients(facts, state)
    return route(
        event,
        facts=facts,
        recipients=recipients,
        state=state,
        decide=decide,
        decided_at=AT,
        policy_version=index.policy_version,
    )


class TestChildState:
    def test_joining_counts_for_the_join_event(self):
        """A school sees the PupilJoinedRoll that puts the child on its roll."""
        state = ChildState(child_ref=CHILD)
        deciding, after = states_for(state, _event("PupilJoinedRoll", school="school-2"))
        assert "school-2" in deciding.on_roll_at
        assert "school-2" in after.on_roll_at

    def test_leaving_still_counts_for_the_leave_event(self):
        """The school a pupil leaves decides on the state before the leaving."""
        state = ChildState(child_ref=CHILD, on_roll_at=frozenset({"school-2"}))
        deciding, after = states_for(state, _event("PupilLeftRoll", school="school-2"))
        assert "school-2" in deciding.on_roll_at
        assert "school-2" not in after.on_roll_at

    def test_plans_start_and_end(self):
        """A CP plan is active from its start event until its end event."""
        state = ChildState(child_ref=CHILD)
        _, started = states_for(state, _event("ChildProtectionPlanStarted"))
        _, ended = states_for(started, _event("ChildProtectionPlanEnded"))
        assert started.active_plans == {"cp"}
        assert ended.active_plans == frozenset()


class TestRoute:
    def test_permit_writes_view_with_only_permitted_fields_and_one_audit(self):
        """A permit yields a view without the special-category code and one audit record."""
        index = PolicyIndex.compile([_agreement()], DIRECTORY)
        routed = _route(_attendance(), index, ChildState(child_ref=CHILD))
        assert [recipient for recipient, _ in routed.views] == ["la-education"]
        disclosed = json.loads(routed.views[0][1]["fields"])
        assert disclosed == {
            "school": "school-1",
            "session": "AM",
            "session_date": "2026-03-02",
            "minutes_late": None,
        }
        assert [a["decision"] for a in routed.audits] == ["permit"]
        assert routed.audits[0]["agreement_id"] == "isa-attendance"

    def test_deny_is_audited_and_writes_no_view(self):
        """An agreement whose condition fails denies, audits the deny, writes no view."""
        gated = _agreement(conditions=frozenset({"child-has-active-cp-plan"}))
        index = PolicyIndex.compile([gated], DIRECTORY)
        routed = _route(_attendance(), index, ChildState(child_ref=CHILD))
        assert routed.views == []
        assert [(a["decision"], a["recipient"]) for a in routed.audits] == [
            ("deny", "la-education")
        ]
        assert routed.audits[0]["reason"].startswith("condition-not-met")

    def test_no_agreement_no_candidates(self):
        """Without agreements nobody is a candidate: nothing is disclosed."""
        index = PolicyIndex.compile([], DIRECTORY)
        routed = _route(_attendance(), index, ChildState(child_ref=CHILD))
        assert routed.views == []
        assert routed.audits == []

    def test_decision_ids_are_stable_for_replays(self):
        """The same event decided twice for a recipient gets the same audit event id."""
        index = PolicyIndex.compile([_agreement()], DIRECTORY)
        event = _attendance()
        first = _route(event, index, ChildState(child_ref=CHILD))
        second = _route(event, index, ChildState(child_ref=CHILD))
        assert first.audits[0]["event_id"] == second.audits[0]["event_id"]


class TestAuditChain:
    def _chain(self, n: int) -> list[tuple[int, bytes, dict[str, object]]]:
        codec = AvroCodec(InMemorySchemaSource())
        prev = GENESIS
        records = []
        for offset in range(n):
            record = sample_event("DisclosureDecided", decision="permit", prev_hash=prev, hash="")
            sealed, prev = seal_encoded(codec.encode("DisclosureDecided", record))
            records.append((offset, sealed, codec.decode(sealed)))
        return records

    def test_intact_chain_verifies(self):
        """An untouched chain has no breaks; each hash covers the stored bytes."""
        records = self._chain(5)
        count, breaks = verify_chain(0, records)
        assert count == 5
        assert breaks == []
        assert all(encoded_hash(raw) == record["hash"] for _, raw, record in records)

    def test_edited_record_is_caught(self):
        """Editing a stored record's bytes breaks its hash."""
        codec = AvroCodec(InMemorySchemaSource())
        records = self._chain(5)
        offset, raw, record = records[2]
        edited = {**record, "decision": "deny"}
        forged = codec.encode("DisclosureDecided", edited)
        records[2] = (offset, forged, codec.decode(forged))
        _, breaks = verify_chain(0, records)
        assert [(b.offset, b.problem.split(" (")[0]) for b in breaks] == [
            (2, "content does not match its hash")
        ]
        assert raw != forged

    def test_removed_record_is_caught(self):
        """Removing a record leaves the next one pointing at nothing."""
        records = self._chain(5)
        del records[2]
        _, breaks = verify_chain(0, records)
        assert [b.offset for b in breaks] == [3]

    def test_records_sealed_under_the_first_scheme_still_verify(self):
        """A record whose hash is the canonical JSON's (scheme 1) verifies; a forgery does not."""
        codec = AvroCodec(InMemorySchemaSource())
        record = sample_event("DisclosureDecided", prev_hash=GENESIS, hash="")
        record["hash"] = content_hash(record)
        raw = codec.encode("DisclosureDecided", record)
        assert verify_chain(0, [(0, raw, codec.decode(raw))])[1] == []
        tampered = {**codec.decode(raw), "reason": "edited"}
        assert verify_chain(0, [(0, raw, tampered)])[1] != []

    def test_the_hash_is_the_last_field_of_a_decision_record(self):
        """The contract rule the sealing relies on: DisclosureDecided ends with `hash`."""
        fields = Catalogue.load().schema("DisclosureDecided")["fields"]
        assert [f["name"] for f in fields[-2:]] == ["prev_hash", "hash"]

    def test_sealing_needs_the_empty_hash_last(self):
        """Bytes not ending in an empty hash field are refused, not sealed wrongly."""
        with pytest.raises(ValueError, match="empty hash"):
            seal_encoded(b"\x00\x00\x00\x00\x01abc")


class TestAlertsAreAddressed:
    def test_an_alert_goes_only_to_the_agencies_it_names(self):
        """Of the candidates, an AlertRaised reaches only its recipient_agencies."""
        from services.router.stage import _addressed  # noqa: PLC0415 - unit under test

        candidates = list(DIRECTORY.agencies)
        alert = _event("AlertRaised", recipient_agencies=["school-2"])
        assert [a.id for a in _addressed(alert, candidates)] == ["school-2"]
        assert _addressed(_attendance(), candidates) == candidates


class TestOutputRecords:
    def test_views_and_sealed_audits_are_exactly_the_records_encoded_whole(self):
        """Shared runs written once give the bytes `codec.encode` gives each record."""
        from services.router.adapters.output_records import OutputRecords  # noqa: PLC0415

        index = PolicyIndex.compile(
            [
                _agreement(),
                _agreement(id="isa-school-2", recipient=RecipientSelector(agency="school-2")),
                _agreement(
                    id="isa-narrow",
                    recipient=RecipientSelector(agency="school-1"),
                    provider=AgencySelector(kind="school"),
                    data_classes=frozenset({"operational", "special-category"}),
                ),
            ],
            DIRECTORY,
        )
        event = {**_attendance(), "source": {"agency": "school-3", "system": "mis"}}
        event["source"]["practitioner_role"] = None
        routed = _route(event, index, ChildState(child_ref=CHILD))
        assert len(routed.views) >= 2
        codec = AvroCodec(InMemorySchemaSource())
        outputs = OutputRecords(codec)
        assert outputs.views(routed.views) == [
            (recipient, codec.encode("DisclosedEvent", view)) for recipient, view in routed.views
        ]
        expected, prev = [], GENESIS
        for audit in [dict(a) for a in routed.audits]:
            audit["prev_hash"], audit["hash"] = prev, ""
            sealed, prev = seal_encoded(codec.encode("DisclosureDecided", audit))
            expected.append(sealed)
        assert outputs.audits(routed.audits, GENESIS) == (expected, prev)
        assert (
            verify_chain(0, [(n, raw, codec.decode(raw)) for n, raw in enumerate(expected)])[1]
            == []
        )
