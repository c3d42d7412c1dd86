"""The generator: deterministic by seed, valid events in time order, the planted cases."""

import dataclasses
from collections import Counter

from conftest import AGENCIES, RUN_ID

from schemas.models.index import EVENT_MODELS
from schemas.validation import EventValidator
from services.simulate.events import EventIds
from services.simulate.timeline import Timeline, build_world


def _play(plan, rates, calendar):
    world = build_world(plan, rates, calendar, frozenset())
    timeline = Timeline(world, rates, calendar, AGENCIES)
    return world, [event for _, events in timeline.days() for event in events]


def _signature(events):
    return [(e.event_id, e.event_type, e.at, e.agency, e.pupil, e.fields) for e in events]


class TestDeterminism:
    def test_the_same_plan_gives_the_same_events(self, small_plan, rates, calendar):
        """Same seed and run id: the same events, ids, times and fields."""
        _, first = _play(small_plan, rates, calendar)
        _, second = _play(small_plan, rates, calendar)
        assert _signature(first) == _signature(second)

    def test_another_seed_gives_another_authority(self, small_plan, rates, calendar):
        """A different seed changes what happens."""
        _, first = _play(small_plan, rates, calendar)
        _, other = _play(dataclasses.replace(small_plan, seed=8), rates, calendar)
        assert _signature(first) != _signature(other)

    def test_another_run_changes_only_the_event_ids(self, small_plan, rates, calendar):
        """A new run id gives new event ids for the same story."""
        _, first = _play(small_plan, rates, calendar)
        _, rerun = _play(dataclasses.replace(small_plan, run_id="ba9876543210"), rates, calendar)
        assert [s[1:] for s in _signature(first)] == [s[1:] for s in _signature(rerun)]
        assert not {e.event_id for e in first} & {e.event_id for e in rerun}


class TestEvents:
    def test_every_event_keeps_the_contract(self, small_plan, rates, calendar):
        """Each record passes the contract's validation; each gateway document its model."""
        world, events = _play(small_plan, rates, calendar)
        validator = EventValidator()
        for event in events:
            validator.validate(event.record("cr1_" + "a" * 32))
            document = event.document(world.pupils[event.pupil])
            assert document.pop("identifier")
            EVENT_MODELS[event.event_type].model_validate({**document, "child_ref": "cr1_x"})

    def test_events_come_in_time_order_with_ids_naming_their_pupil(
        self, small_plan, rates, calendar
    ):
        """Events are ordered by time; each id decodes to its pupil, for this run only."""
        _, events = _play(small_plan, rates, calendar)
        assert [e.at for e in events] == sorted(e.at for e in events)
        ids = EventIds(small_plan.seed, RUN_ID)
        assert all(ids.pupil_of(e.event_id) == e.pupil for e in events)
        assert EventIds(small_plan.seed, "ba9876543210").pupil_of(events[0].event_id) is None
        assert len({e.event_id for e in events}) == len(events)

    def test_two_register_marks_per_pupil_per_school_day(self, small_plan, rates, calendar):
        """Pupils on roll get an AM and a PM mark on each of the ten school days."""
        _, events = _play(small_plan, rates, calendar)
        marks = Counter(
            (e.pupil, e.fields["session_date"])
            for e in events
            if e.event_type == "AttendanceMarked"
        )
        assert set(marks.values()) == {2}
        assert len({day for _, day in marks}) == 10


class TestMix:
    def test_every_kind_of_child_and_incident_is_there(self, small_plan, rates, calendar):
        """Plans, looked-after children, police, health, suspensions, moves: all at least once."""
        _, events = _play(small_plan, rates, calendar)
        kinds = Counter(e.event_type for e in events)
        for event_type in (
            "PupilJoinedRoll",
            "PupilLeftRoll",
            "ChildProtectionPlanStarted",
            "ChildInNeedPlanStarted",
            "LookedAfterEpisodeStarted",
            "DomesticAbuseIncidentNotified",
            "ConcernRaised",
            "UnscheduledCareAttendance",
            "MissingEpisodeStarted",
            "MissingPersonReported",
            "SuspensionIssued",
            "PermanentExclusionIssued",
        ):
            assert kinds[event_type] >= 1, event_type

    def test_planted_cases(self, small_plan, rates, calendar):
        """A child stops attending on the first school day; a looked-after child goes missing
        three times; a child has a school concern and a police notification."""
        world, events = _play(small_plan, rates, calendar)
        first = min(e.fields["session_date"] for e in events if e.event_type == "AttendanceMarked")
        assert first in world.scenario.stopped.values()
        missing = Counter(e.pupil for e in events if e.event_type == "MissingEpisodeStarted")
        assert max(missing.values()) >= 3
        concerned = {e.pupil for e in events if e.event_type == "ConcernRaised"}
        notified = {e.pupil for e in events if e.event_type == "DomesticAbuseIncidentNotified"}
        assert concerned & notified

    def test_children_known_to_other_agencies_have_nhs_numbers(self, small_plan, rates, calendar):
        """Whoever social care, police or health publish about can be named by NHS number."""
        world, events = _play(small_plan, rates, calendar)
        others = {e.pupil for e in events if e.kind != "school"}
        assert others
        assert all(world.pupils[p].nhs_number for p in others)
        assert all(p.upn for p in world.pupils)

    def test_authority_scale_roll(self, rates, calendar, small_plan):
        """At authority scale about one school in six is a secondary, teaching 4 in 10 pupils."""
        plan = dataclasses.replace(small_plan, schools=200, pupils=60_000, weeks=1)
        world = build_world(plan, rates, calendar, frozenset())
        secondaries = [s for s in world.schools if s.phase == "secondary"]
        assert len(secondaries) == 34
        share = sum(p.phase == "secondary" for p in world.pupils) / len(world.pupils)
        assert 0.35 < share < 0.50
        assert len({p.year_group for p in world.pupils}) == 14
        scenario = world.scenario
        assert 0.003 < len(scenario.cp) / 60_000 < 0.005
        assert 0.005 < len(scenario.lac) / 60_000 < 0.009
