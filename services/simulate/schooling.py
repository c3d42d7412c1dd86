"""School incidents as events: suspensions, permanent exclusions, pupils moving school.

A school suspends in the afternoon from the next school day, for whole days
(`length_sessions` two a day), and marks the pupil E on those days; a
permanent exclusion marks E from its first day on. A pupil who moves leaves
the roll at the end of the day and, when the new school is in the authority,
joins its roll the next school day morning; a pupil leaving for an unknown
destination is a child missing education (the thresholds rule alerts).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Final

from services.simulate.draws import choose, time_between
from services.simulate.events import SimEvent
from services.simulate.happenings import AFTERNOON, Happenings
from services.simulate.incidents import Incident

LEAVING_TIME: Final = dt.time(16, 30)
JOINING_TIME: Final = dt.time(8, 0)


class SchoolHappenings(Happenings):
    """Happenings, with the school incidents too."""

    def _on_roll(self, pupil: int) -> str | None:
        """The pupil's school, when on a roll and not excluded."""
        if self.statuses[pupil].excluded_from is not None:
            return None
        return self.pupils[pupil].school

    def _exclusion(
        self, incident: Incident, rng: random.Random, event_type: str
    ) -> SimEvent | None:
        school = self._on_roll(incident.pupil)
        start = self.next_school_day(incident.day)
        if school is None or start is None:
            return None
        fields: dict[str, object] = {
            "school": school,
            "exclusion_type": "suspension" if event_type == "SuspensionIssued" else "permanent",
            "reason_codes": [choose(rng, self.mix.exclusion_reason)],
            "start_date": start,
        }
        if event_type == "SuspensionIssued":
            fields["length_sessions"] = 2 * incident.days
        at = self.at(incident.day, time_between(rng, *AFTERNOON))
        return SimEvent(at, school, "school", incident.pupil, event_type, fields)

    def _suspension(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        event = self._exclusion(incident, rng, "SuspensionIssued")
        if event is None:
            return []
        day: dt.date | None = event.fields["start_date"]
        for _ in range(incident.days):
            if day is None:
                break
            self.statuses[incident.pupil].suspended.add(day)
            day = self.next_school_day(day)
        return [event]

    def _permanent_exclusion(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        event = self._exclusion(incident, rng, "PermanentExclusionIssued")
        if event is None:
            return []
        self.statuses[incident.pupil].excluded_from = event.fields["start_date"]
        return [event]

    def _move(self, incident: Incident, _rng: random.Random) -> list[SimEvent]:
        pupil = self.pupils[incident.pupil]
        school = self._on_roll(incident.pupil)
        if school is None or incident.to_school == school:
            return []
        fields = {
            "school": school,
            "left_on": incident.day,
            "destination": incident.destination,
            "destination_school": incident.to_school,
        }
        pupil.school = None
        joining = self.next_school_day(incident.day)
        if incident.to_school is not None and joining is not None:
            self.joins.setdefault(joining, []).append((pupil.index, incident.to_school, school))
        at = self.at(incident.day, LEAVING_TIME)
        return [SimEvent(at, school, "school", pupil.index, "PupilLeftRoll", fields)]

    def joined(self, day: dt.date) -> list[SimEvent]:
        """Pupils who moved joining their new school's roll on `day`."""
        events = []
        for index, school, previous in self.joins.pop(day, []):
            pupil = self.pupils[index]
            pupil.school = school
            fields = {
                "school": school,
                "joined_on": day,
                "year_group": pupil.year_group,
                "previous_school": previous,
            }
            at = self.at(day, JOINING_TIME)
            events.append(SimEvent(at, school, "school", index, "PupilJoinedRoll", fields))
        return events
