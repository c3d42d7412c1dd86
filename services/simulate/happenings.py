"""An incident as the events agencies publish about it, at the times they would.

Social care records plans in office hours; police attend domestic abuse in the
evening and notify the school's safeguarding lead the same night (Operation
Encompass); a looked-after child reported missing in the evening is back by the
morning; a school suspends in the afternoon from the next school day. Each
incident also changes what the simulation knows of the pupil (plans, roll,
suspension days), so later incidents and register marks follow from it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, Final

from services.simulate.attendance import AbsenceSpell
from services.simulate.authority import Pupil
from services.simulate.draws import choose, time_between
from services.simulate.events import SimEvent
from services.simulate.incidents import Incident
from services.simulate.rates import Rates
from services.thresholds.domain.calendar import SchoolCalendar
from services.thresholds.domain.exceptions import DateOutsideCalendarError

PLAN_EVENTS: Final = {
    "cp": ("ChildProtectionPlanStarted", "ChildProtectionPlanEnded"),
    "cin": ("ChildInNeedPlanStarted", "ChildInNeedPlanEnded"),
    "lac": ("LookedAfterEpisodeStarted", "LookedAfterEpisodeEnded"),
}
OFFICE: Final = (dt.time(9, 30), dt.time(16, 30))
EVENING: Final = (dt.time(17, 0), dt.time(21, 30))
AFTERNOON: Final = (dt.time(13, 30), dt.time(15, 30))
SCHOOL_HOURS: Final = (dt.time(10, 0), dt.time(15, 0))


@dataclass(frozen=True)
class Agencies:
    """The agencies, other than schools, that publish in the simulation."""

    social_care: str
    police: str
    health: str


@dataclass(slots=True)
class Status:
    """What the simulation knows of a pupil now."""

    spell: AbsenceSpell = field(default_factory=AbsenceSpell)
    plans: set[str] = field(default_factory=set)
    suspended: set[dt.date] = field(default_factory=set)
    excluded_from: dt.date | None = None


class Happenings:
    """Turns incidents into events and keeps each pupil's status up to date."""

    def __init__(
        self,
        agencies: Agencies,
        rates: Rates,
        calendar: SchoolCalendar,
        pupils: list[Pupil],
        statuses: list[Status],
    ) -> None:
        """Publish as `agencies`, with codes shared out as `rates.mix` says."""
        self.agencies, self.mix, self.calendar = agencies, rates.mix, calendar
        self.incident_rates = rates.incidents
        self.pupils, self.statuses = pupils, statuses
        self.joins: dict[dt.date, list[tuple[int, str, str]]] = {}
        self._references = 0

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        """A local time on `day` in the calendar's zone, as an aware UTC datetime."""
        return dt.datetime.combine(day, time, tzinfo=self.calendar.timezone).astimezone(dt.UTC)

    def next_school_day(self, day: dt.date) -> dt.date | None:
        """The first school day after `day`; None past the calendar's end."""
        try:
            return self.calendar.add_school_days(day, 1)
        except DateOutsideCalendarError:
            return None

    def _reference(self) -> str:
        self._references += 1
        return f"SIM-{self._references:06d}"

    def _social(self, at: dt.datetime, pupil: int, event_type: str, **fields: Any) -> SimEvent:
        return SimEvent(at, self.agencies.social_care, "social-care", pupil, event_type, fields)

    def _police(self, at: dt.datetime, pupil: int, event_type: str, **fields: Any) -> SimEvent:
        return SimEvent(at, self.agencies.police, "police", pupil, event_type, fields)

    def plan_started(
        self, kind: str, pupil: int, at: dt.datetime, start: dt.date, rng: random.Random
    ) -> SimEvent:
        """Social care opens a plan (cp, cin) or a looked-after episode (lac)."""
        self.statuses[pupil].plans.add(kind)
        event_type = PLAN_EVENTS[kind][0]
        if kind == "cp":
            extra = {"category": choose(rng, self.mix.cp_category)}
        elif kind == "cin":
            extra = {"primary_need": choose(rng, self.mix.primary_need)}
        else:
            return self._social(
                at,
                pupil,
                event_type,
                start_date=start,
                legal_status=choose(rng, self.mix.legal_status),
            )
        return self._social(
            at,
            pupil,
            event_type,
            start_date=start,
            unexplained_absence_alert_sessions=None,
            **extra,
        )

    def events_of(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        """The events of one incident (none when the pupil's situation rules it out)."""
        handler = getattr(self, "_" + incident.kind.replace("-", "_"))
        events: list[SimEvent] = handler(incident, rng)
        return events

    def _cp_start(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        return self._start("cp", incident, rng)

    def _cin_start(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        return self._start("cin", incident, rng)

    def _lac_start(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        return self._start("lac", incident, rng)

    def _start(self, kind: str, incident: Incident, rng: random.Random) -> list[SimEvent]:
        if kind in self.statuses[incident.pupil].plans:
            return []
        at = self.at(incident.day, time_between(rng, *OFFICE))
        return [self.plan_started(kind, incident.pupil, at, incident.day, rng)]

    def _plan_end(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        plans = self.statuses[incident.pupil].plans
        if not plans:
            return []
        kind = rng.choice(sorted(plans))
        plans.discard(kind)
        at = self.at(incident.day, time_between(rng, *OFFICE))
        event_type = PLAN_EVENTS[kind][1]
        if kind == "lac":
            return [
                self._social(
                    at,
                    incident.pupil,
                    event_type,
                    end_date=incident.day,
                    legal_status="V2",
                    ceased_care=True,
                )
            ]
        return [
            self._social(at, incident.pupil, event_type, end_date=incident.day, end_reason=None)
        ]

    def _domestic_abuse(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        incident_at = self.at(incident.day, time_between(rng, *EVENING))
        notified = incident_at + dt.timedelta(minutes=rng.randint(30, 120))
        return [
            self._police(
                notified,
                incident.pupil,
                "DomesticAbuseIncidentNotified",
                incident_at=incident_at,
                child_present=rng.random() < 0.6,
                circumstances="Synthetic incident (simulation): police attended the home.",
                school=self.pupils[incident.pupil].school,
                police_reference=self._reference(),
                officer_contact="Simulated officer, 01234 000000",
            )
        ]

    def _school_concern(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        school = self.pupils[incident.pupil].school
        if school is None:
            return []
        at = self.at(incident.day, time_between(rng, *SCHOOL_HOURS))
        fields = {
            "concern_category": choose(rng, self.mix.concern_category),
            "summary": "Synthetic concern (simulation).",
        }
        return [SimEvent(at, school, "school", incident.pupil, "ConcernRaised", fields)]

    def _unscheduled_care(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        arrived = self.at(incident.day, time_between(rng, dt.time(8), dt.time(21)))
        concern = rng.random() < self.incident_rates.unscheduled_care_with_concern.share
        health = self.agencies.health
        fields = {
            "attended_at": arrived,
            "site": health,
            "setting": choose(rng, self.mix.care_setting),
            "safeguarding_concern": concern,
            "presenting_complaint": None,
        }
        recorded = arrived + dt.timedelta(minutes=rng.randint(60, 180))
        events = [
            SimEvent(
                recorded, health, "health", incident.pupil, "UnscheduledCareAttendance", fields
            )
        ]
        if concern:
            flagged = {
                "concern_category": choose(rng, self.mix.concern_category),
                "summary": "Synthetic concern (simulation).",
            }
            events.append(
                SimEvent(
                    recorded + dt.timedelta(minutes=30),
                    health,
                    "health",
                    incident.pupil,
                    "ConcernRaised",
                    flagged,
                )
            )
        return events

    def _lac_missing(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        since = self.at(incident.day, time_between(rng, *EVENING))
        recorded = since + dt.timedelta(minutes=rng.randint(30, 90))
        reported = recorded + dt.timedelta(minutes=rng.randint(15, 45))
        back = self.at(
            incident.day + dt.timedelta(days=1), time_between(rng, dt.time(6), dt.time(7, 30))
        )
        pupil = incident.pupil
        return [
            self._social(
                recorded,
                pupil,
                "MissingEpisodeStarted",
                missing_since=since,
                missing_from="care_placement",
            ),
            self._missing_report(reported, pupil, rng),
            self._social(
                back, pupil, "MissingEpisodeEnded", returned_at=back, return_interview_offered=True
            ),
        ]

    def _missing_from_home(self, incident: Incident, rng: random.Random) -> list[SimEvent]:
        return [
            self._missing_report(
                self.at(incident.day, time_between(rng, *EVENING)), incident.pupil, rng
            )
        ]

    def _missing_report(self, at: dt.datetime, pupil: int, rng: random.Random) -> SimEvent:
        return self._police(
            at,
            pupil,
            "MissingPersonReported",
            reported_at=at,
            risk_level=choose(rng, self.mix.missing_risk),
            police_reference=self._reference(),
            officer_contact="Simulated officer, 01234 000000",
        )
