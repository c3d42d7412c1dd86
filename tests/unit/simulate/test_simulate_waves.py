"""Waves: each pupil's events in order, one agency per pupil in each wave."""

import datetime as dt

from services.simulate.events import SimEvent
from services.simulate.waves import in_time_order, layered

T0 = dt.datetime(2026, 9, 7, 8, tzinfo=dt.UTC)


def _event(minute: int, pupil: int, agency: str) -> SimEvent:
    return SimEvent(T0 + dt.timedelta(minutes=minute), agency, "school", pupil, "X", {})


def _check(waves: list[list[SimEvent]], events: list[SimEvent]) -> None:
    flat = [e for wave in waves for e in wave]
    assert sorted(map(id, flat)) == sorted(map(id, events))
    for pupil in {e.pupil for e in events}:
        assert [e for e in flat if e.pupil == pupil] == [e for e in events if e.pupil == pupil]
    for wave in waves:
        for pupil in {e.pupil for e in wave}:
            assert len({e.agency for e in wave if e.pupil == pupil}) == 1


EVENTS = [
    _event(0, 1, "school-a"),
    _event(1, 2, "school-b"),
    _event(2, 1, "police"),
    _event(3, 2, "school-b"),
    _event(4, 1, "police"),
    _event(5, 1, "school-a"),
    _event(6, 3, "health"),
]


class TestLayered:
    def test_each_agency_change_of_a_pupil_opens_the_next_wave(self):
        """Pupil 1 goes school, police, school: three waves; the others fit in the first."""
        waves = layered(EVENTS)
        _check(waves, EVENTS)
        assert [len(w) for w in waves] == [4, 2, 1]

    def test_one_agency_gives_one_wave(self):
        """Without agency changes, a day is one wave."""
        events = [_event(n, n % 3, "school-a") for n in range(10)]
        assert layered(events) == [events]


class TestInTimeOrder:
    def test_waves_keep_time_order_and_cut_at_an_agency_change(self):
        """Consecutive runs, cut where a pupil's agency changes."""
        waves = list(in_time_order(EVENTS))
        _check(waves, EVENTS)
        assert [e for w in waves for e in w] == EVENTS
        assert [len(w) for w in waves] == [2, 3, 2]
