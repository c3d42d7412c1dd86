"""Cut the events into waves, so the bus applies each pupil's events in the order published.

Kafka keeps order within a partition: a pupil's events from one agency (one
ingest topic, keyed by child_ref) are read in the order they were sent. Across
agencies nothing is promised: a worker may read a social care event before a
school's mark published earlier. So a wave holds, for each pupil, events of
one agency only, and the simulator waits between waves until the thresholds
worker has read everything sent (a barrier). Then every pupil's events reach
the rules in publish order, which is the order the expectation applies them.

`layered` serves `--speed max`: a day's events are cut into as few waves as
the rule allows, each pupil's events staying in time order (a pupil's events
after an agency change go to the next wave). `in_time_order` serves paced
speeds: events stay in time order and a wave ends where a pupil changes agency.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from services.simulate.events import SimEvent


def layered(events: Iterable[SimEvent]) -> list[list[SimEvent]]:
    """The fewest waves that keep each pupil's events in order, one agency per pupil per wave."""
    waves: list[list[SimEvent]] = []
    last: dict[int, tuple[int, str]] = {}  # pupil -> (wave, agency) of its latest event
    for event in events:
        wave, agency = last.get(event.pupil, (0, event.agency))
        if agency != event.agency:
            wave += 1
        last[event.pupil] = (wave, event.agency)
        while len(waves) <= wave:
            waves.append([])
        waves[wave].append(event)
    return waves


def in_time_order(events: Iterable[SimEvent]) -> Iterator[list[SimEvent]]:
    """Consecutive runs of events in which no pupil's events come from two agencies."""
    wave: list[SimEvent] = []
    agency_of: dict[int, str] = {}
    for event in events:
        if agency_of.setdefault(event.pupil, event.agency) != event.agency:
            yield wave
            wave, agency_of = [], {event.pupil: event.agency}
        wave.append(event)
    if wave:
        yield wave
