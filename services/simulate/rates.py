"""The simulator's rates as data: rates.yaml beside this module, validated once on load."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.simulate.exceptions import SimulationError

Phase = Literal["primary", "secondary"]
RATES_FILE = "rates.yaml"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Target(_Data):
    """A national figure the attendance model is calibrated to reproduce, with its source."""

    value: float = Field(ge=0, le=100)
    source: str


class AttendanceTargets(_Data):
    """Percentages over an autumn term (DfE series)."""

    overall_absence_percent: Target
    persistent_absence_percent: Target
    severe_absence_percent: Target
    unauthorised_absence_percent: Target
    illness_absence_percent: Target


class AttendanceModel(_Data):
    """Daily chances per pupil that reproduce the targets (docs/simulate.md)."""

    illness_start_first_week: float = Field(ge=0, le=1)
    illness_start_last_week: float = Field(ge=0, le=1)
    illness_continue: float = Field(ge=0, lt=1)
    unauthorised_day: float = Field(ge=0, le=1)
    late_after_close: float = Field(ge=0, le=1)
    authorised_session: float = Field(ge=0, le=1)
    holiday_start_week: float = Field(ge=0, le=1)
    late_present: float = Field(ge=0, le=1)
    frailty_shape: float = Field(gt=0)
    phase_factor: dict[Phase, float]
    severe_share: float = Field(ge=0, le=1)
    severe_day_absent: float = Field(ge=0, le=1)
    missing_education_share: float = Field(ge=0, le=1)


class Attendance(_Data):
    """What the register marks follow."""

    targets: AttendanceTargets
    model: AttendanceModel


class Cohort(_Data):
    """A share of pupils in some standing situation when the simulation starts."""

    share: float = Field(ge=0, le=1)
    source: str


class Cohorts(_Data):
    """Who is on a plan, looked after, or known to schools by NHS number."""

    child_protection: Cohort
    child_in_need: Cohort
    looked_after: Cohort
    nhs_number_known: Cohort


class Rate(_Data):
    """How often one kind of incident happens, per pupil-week (or per looked-after child-week)."""

    rate: float | dict[Phase, float] = 0.0
    share: float = Field(default=0.0, ge=0, le=1)
    per: Literal["pupil", "looked_after"] = "pupil"
    source: str
    days: dict[int, float] = Field(default_factory=dict)
    destinations: dict[str, float] = Field(default_factory=dict)

    def weekly(self, phase: Phase) -> float:
        """The rate for a pupil of `phase`."""
        return self.rate[phase] if isinstance(self.rate, dict) else self.rate


class Incidents(_Data):
    """Every kind of incident the simulator plays."""

    child_protection_start: Rate
    child_in_need_start: Rate
    looked_after_start: Rate
    plan_end: Rate
    domestic_abuse_notification: Rate
    school_concern: Rate
    unscheduled_care: Rate
    unscheduled_care_with_concern: Rate
    looked_after_missing: Rate
    missing_from_home: Rate
    suspension: Rate
    permanent_exclusion: Rate
    move: Rate


class Mix(_Data):
    """How codes are shared out among simulated events (weights by code)."""

    cp_category: dict[str, float]
    primary_need: dict[str, float]
    legal_status: dict[str, float]
    concern_category: dict[str, float]
    exclusion_reason: dict[str, float]
    care_setting: dict[str, float]
    missing_risk: dict[str, float]


class Rates(_Data):
    """Everything rates.yaml says."""

    attendance: Attendance
    cohorts: Cohorts
    incidents: Incidents
    mix: Mix


@cache
def load_rates() -> Rates:
    """The packaged rates, validated; raise naming the field when the file is wrong."""
    text = resources.files("services.simulate").joinpath(RATES_FILE).read_text(encoding="utf-8")
    try:
        return Rates.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SimulationError(f"{RATES_FILE}: {where}: {first['msg']}") from None
