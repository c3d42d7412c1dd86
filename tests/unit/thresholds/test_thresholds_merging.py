"""Thresholds across a merge: rule state folded, alerts moved, events de-duplicated per publisher.

Plain values for the folds; the processor itself runs in process with the
packaged rules and calendar, fed encoded records by hand (no broker), so the
hand-over records it writes are read back as the survivor's worker would.
"""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.codec import AvroCodec
from schemas.samples import sample_event
from schemas.schema_source import InMemorySchemaSource
from services.bus.records import Incoming, Outgoing
from services.bus.settings import BusSettings
from services.thresholds.adapters.register_codes import register_codes
from services.thresholds.adapters.stored import StoredChild
from services.thresholds.domain.calendar import load_calendar
from services.thresholds.domain.escalation import OpenAlert
from services.thresholds.domain.merging import fold_states
from services.thresholds.domain.rules import load_rules
from services.thresholds.domain.state import ChildState
from services.thresholds.processor import Policy, ThresholdsProcessor, ThresholdsTopics

UTC = dt.UTC
SCHOOL, SOCIAL = "school-100001", "la-social-care"
BY_UPN, BY_NHS = "cr1_" + "u" * 32, "cr1_" + "n" * 32
PLAN_RULE = "attendance.unexplained-absence-on-plan"
MERGE_ID = "0b7f3c1e-55a1-4c1e-9c3e-2f0a9d8e7c6b"


class TestFoldStates:
    def test_counts_of_one_year_add_up_and_plans_join(self):
        """Absences known under one ref and a plan under the other become one child's."""
        absences = ChildState(school=SCHOOL, year="2026/27", year_counts=[10, 3, 0])
        absences.term, absences.term_counts = 739_500, [10, 3]
        plan = ChildState(plans={"cp": SOCIAL}, plan_alert_sessions=2, year="2026/27")
        plan.year_counts = [4, 1, 0]
        folded = fold_states(plan, absences)
        assert folded.plans == {"cp": SOCIAL}
        assert (folded.school, folded.plan_alert_sessions) == (SCHOOL, 2)
        assert folded.year_counts == [14, 4, 0]
        assert (folded.term, folded.term_counts) == (739_500, [10, 3])

    def test_a_later_period_wins_over_an_earlier_one(self):
        """Counts of a closed academic year are not added to the current one."""
        old = ChildState(year="2025/26", year_counts=[100, 50, 0])
        new = ChildState(year="2026/27", year_counts=[10, 1, 0])
        assert fold_states(old, new).year_counts == [10, 1, 0]
        assert fold_states(new, old).year_counts == [10, 1, 0]

    def test_sets_join_and_cool_downs_keep_the_later_date(self):
        """Unauthorised sessions, agencies told and concerns join; cool-downs never shorten."""
        survivor = ChildState(unauthorised=[4, 8], matched=["police"], last_raised={"r": 10})
        survivor.concerns = {"police": [100, "e1"]}
        absorbed = ChildState(unauthorised=[6, 8], matched=["school"], last_raised={"r": 12})
        absorbed.concerns = {"police": [90, "e0"], "school": [95, "e2"]}
        folded = fold_states(survivor, absorbed)
        assert folded.unauthorised == [4, 6, 8]
        assert folded.matched == ["police", "school"]
        assert folded.concerns == {"police": [100, "e1"], "school": [95, "e2"]}
        assert folded.last_raised == {"r": 12}

    def test_session_marks_of_the_kept_year_join_the_survivors_winning(self):
        """Marks of the kept year join (the survivor's for a shared session); older years go."""
        survivor = ChildState(year="2026/27", marks={"10": "/", "12": "N"})
        absorbed = ChildState(year="2026/27", marks={"11": "M", "12": "C"})
        assert fold_states(survivor, absorbed).marks == {"10": "/", "11": "M", "12": "N"}
        closed = ChildState(year="2025/26", marks={"2": "N"})
        assert fold_states(survivor, closed).marks == {"10": "/", "12": "N"}

    def test_referrals_join_by_id_the_survivors_winning(self):
        """The same referral under both refs keeps the survivor's entry; others join."""
        survivor = ChildState(referrals={"r-1": {"at": 5, "clocks": {"decision": 9}}})
        absorbed = ChildState(referrals={"r-1": {"at": 1}, "r-2": {"at": 2}})
        folded = fold_states(survivor, absorbed)
        assert folded.referrals == {"r-1": {"at": 5, "clocks": {"decision": 9}}, "r-2": {"at": 2}}
        folded.referrals["r-2"]["at"] = 3
        assert absorbed.referrals["r-2"] == {"at": 2}

    def test_neither_state_is_changed(self):
        """The fold builds a new state."""
        survivor, absorbed = ChildState(plans={"cp": SOCIAL}), ChildState(plans={"cin": SOCIAL})
        fold_states(survivor, absorbed)
        assert (survivor.plans, absorbed.plans) == ({"cp": SOCIAL}, {"cin": SOCIAL})


class TestStoredChildAbsorb:
    def test_open_alerts_move_to_the_survivor_with_their_ids(self):
        """An absorbed child's open alert now names the survivor; its dedupe key is kept."""
        alert = OpenAlert("k1", PLAN_RULE, BY_UPN, dt.datetime(2026, 11, 3, 8, tzinfo=UTC))
        absorbed = StoredChild(open_alerts={"k1": alert}, recent=["school-a/e1"])
        folded = StoredChild(recent=["la/e2"]).absorb(absorbed, BY_NHS)
        assert folded.open_alerts["k1"].child_ref == BY_NHS
        assert folded.recent == ["school-a/e1", "la/e2"]


class TestDeduplicationPerPublisher:
    def test_another_agencys_event_with_the_same_id_is_not_a_duplicate(self):
        """(agency, event_id): B reusing A's id is B's own event."""
        child = StoredChild()
        child.remember("school-a", "e1")
        assert child.seen("school-a", "e1")
        assert not child.seen("police-b", "e1")

    def test_a_bare_id_stored_before_counts_as_seen_for_every_agency(self):
        """State written before ids carried their publisher still suppresses the replay."""
        legacy = StoredChild.from_json(b'{"state":{},"open":[],"recent":["e1"]}')
        assert legacy.seen("school-a", "e1")
        assert legacy.seen("police-b", "e1")


def _record(codec: AvroCodec, event: dict, topic: str, offset: int) -> Incoming:
    value = codec.encode(event["event_type"], event)
    return Incoming(topic, 0, offset, str(event["child_ref"]).encode(), value)


def _event(event_type: str, child_ref: str, agency: str, at: dt.datetime, **fields) -> dict:
    event = sample_event(event_type, child_ref=child_ref, **fields)
    event.update(occurred_at=at, recorded_at=at, source={**event["source"], "agency": agency})
    return event


class Worker:
    """The thresholds processor in process; records handed over are fed back at once."""

    def __init__(self) -> None:
        self.codec = AvroCodec(InMemorySchemaSource())
        policy = Policy(load_rules(None), load_calendar(), register_codes())
        self.processor = ThresholdsProcessor(
            BusSettings(), self.codec, policy, "thresholds-unit", ThresholdsTopics()
        )
        self.processor.store.begin([0])
        self.offset = 0

    def feed(self, record: Incoming) -> list[dict]:
        """Alerts raised by `record` and by everything it hands over."""
        alerts: list[dict] = []
        pending = [record]
        while pending:
            outputs: list[Outgoing] = [o for r in pending for o in self.processor.handle(r)]
            alerts += [self.codec.decode(o.value) for o in outputs if o.topic == "alerts.raised"]
            self.offset += 1
            pending = [
                Incoming(o.topic, 0, self.offset, o.key, o.value, o.headers)
                for o in outputs
                if o.topic == self.processor.handovers
            ]
        return alerts

    def publish(self, event: dict, topic: str = "ingest.any") -> list[dict]:
        self.offset += 1
        return self.feed(_record(self.codec, event, topic, self.offset))


def _mark(child_ref: str, day: dt.date, event_id: str | None = None) -> dict:
    at = dt.datetime.combine(day, dt.time(9), tzinfo=UTC)
    fields = {"school": SCHOOL, "session_date": day, "session": "AM", "register_code": "N"}
    event = _event("AttendanceMarked", child_ref, SCHOOL, at, **fields)
    if event_id is not None:
        event["event_id"] = event_id
    return event


def _decision(event_type: str) -> dict:
    at = dt.datetime(2026, 11, 4, 12, tzinfo=UTC)
    return _event(
        event_type,
        BY_UPN,
        "joinedup-consent",
        at,
        merge_id=MERGE_ID,
        surviving_child_ref=BY_NHS,
        absorbed_child_ref=BY_UPN,
        steward="steward",
        reason="same child",
        decided_at=at,
    )


class TestMergeInTheProcessor:
    @pytest.fixture
    def worker(self):
        worker = Worker()
        joined = dt.datetime(2026, 9, 2, 9, tzinfo=UTC)
        worker.publish(
            _event(
                "PupilJoinedRoll", BY_UPN, SCHOOL, joined, school=SCHOOL, joined_on=joined.date()
            )
        )
        started = dt.datetime(2026, 11, 2, 9, tzinfo=UTC)
        plan = _event("ChildProtectionPlanStarted", BY_NHS, SOCIAL, started)
        plan["start_date"] = started.date()
        plan["unexplained_absence_alert_sessions"] = None
        worker.publish(plan)
        return worker

    def test_absences_under_one_ref_and_a_plan_under_the_other_alert_once_merged(self, worker):
        """No plan alert before the merge; after it, the next absence alerts under the survivor."""
        before = worker.publish(_mark(BY_UPN, dt.date(2026, 11, 3)))
        assert PLAN_RULE not in {a["rule_id"] for a in before}
        worker.publish(_decision("ChildRefsMerged"), "identity.merges")
        after = worker.publish(_mark(BY_UPN, dt.date(2026, 11, 5)))  # still sent under the UPN's
        [plan_alert] = [a for a in after if a["rule_id"] == PLAN_RULE]
        assert plan_alert["child_ref"] == BY_NHS

    def test_after_an_unmerge_the_absorbed_ref_counts_on_its_own_again(self, worker):
        """Once unmerged, an absence under the UPN's ref meets no plan: no plan alert."""
        worker.publish(_decision("ChildRefsMerged"), "identity.merges")
        worker.publish(_decision("ChildRefsUnmerged"), "identity.merges")
        alerts = worker.publish(_mark(BY_UPN, dt.date(2026, 11, 5)))
        assert PLAN_RULE not in {a["rule_id"] for a in alerts}
        assert worker.processor.store.forward_of(0, BY_UPN) is None

    def test_an_event_id_reused_by_another_agency_is_applied(self, worker):
        """A police event with the school's event id is its own event: both count."""
        mark = _mark(BY_NHS, dt.date(2026, 11, 5), event_id=MERGE_ID)
        assert PLAN_RULE in {a["rule_id"] for a in worker.publish(mark)}
        concern = _event("ConcernRaised", BY_NHS, "police-100001", mark["occurred_at"])
        concern["event_id"] = MERGE_ID
        worker.publish(concern)
        recent = worker.processor.store.get(0, BY_NHS).recent
        assert {f"{SCHOOL}/{MERGE_ID}", f"police-100001/{MERGE_ID}"} <= set(recent)
        again = _mark(BY_NHS, dt.date(2026, 11, 5), event_id=MERGE_ID)
        assert worker.publish(again) == []  # the school's own duplicate is still one event
