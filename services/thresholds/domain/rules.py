"""Threshold rules as data: ids, severity, recipients, cool-down, deadline and parameters.

Defaults live in `services/config/defaults/threshold-rules.yaml` with their sources
(DOMAIN.md); a local authority's override YAML may change any subset. Merging
is recursive for mappings; a list in the override replaces the default list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.severity import SEVERITIES, Severity
from services.config.files import ConfigName, packaged_default
from services.thresholds.domain.exceptions import RuleConfigError

DEFAULT_RULES: ConfigName = "threshold-rules.yaml"
# "school": the school in the event, else the child's school on roll;
# "plan-holder": the agency holding the child's plan or looked-after episode;
# "involved": every agency a multi-agency match found;
# "referrer" / "referred-to": the agency that made a referral and the social
# care service it was made to (the referral rules, referral_rules.py).
Relation = Literal["school", "plan-holder", "involved", "referrer", "referred-to"]
DeadlineKind = Literal["next-school-day-start", "school-days", "hours"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RecipientSpec(_Model):
    """Who receives an alert: a role at a fixed agency, or at an agency related to the child."""

    role: str
    agency_id: str | None = None
    relation: Relation | None = None
    fallback_agency_id: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> RecipientSpec:
        if (self.agency_id is None) == (self.relation is None):
            raise ValueError("a recipient names exactly one of agency_id and relation")
        return self


class Deadline(_Model):
    """When an alert is due: next school day start, or after some school days or hours."""

    kind: DeadlineKind
    amount: int = Field(default=0, ge=0)
    start_time: dt.time | None = None


class Rule(_Model):
    """What every rule has; subclasses add the rule's own parameters."""

    id: str = ""
    enabled: bool = True
    severity: Severity
    cool_down_days: int = Field(ge=0)
    recipients: tuple[RecipientSpec, ...]
    deadline: Deadline | None = None
    escalate_to: tuple[RecipientSpec, ...] = ()
    source: str


class AbsenceRateRule(Rule):
    """Absence at or above a share of possible sessions, once enough sessions are known."""

    threshold_percent: float = Field(gt=0, le=100)
    minimum_sessions: int = Field(ge=1)
    window: Literal["academic-year", "term"] = "academic-year"


class ContinuousAbsenceRule(Rule):
    """Unauthorised absence for this many continuous school days."""

    school_days: int = Field(ge=1)


class RollingUnauthorisedRule(Rule):
    """Unauthorised sessions reaching `sessions` within a rolling window of school days."""

    sessions: int = Field(ge=1)
    window_school_days: int = Field(ge=1)


class IllnessRule(Rule):
    """Illness absence adding up to this many school days in the academic year."""

    school_days: int = Field(ge=1)


class PlanAbsenceRule(Rule):
    """Unexplained absence of a child on one of `plans`; per-child session count default."""

    plans: tuple[str, ...]
    codes: tuple[str, ...]
    default_sessions: int = Field(ge=1)


class PlansRule(Rule):
    """Fires for a child who has one of `plans` (cp, cin, lac)."""

    plans: tuple[str, ...]


class SuspensionDaysRule(Rule):
    """Suspension days in a term or academic year going past `max_days`."""

    max_days: int = Field(ge=0)
    period: Literal["term", "academic-year"]


class LeftRollRule(Rule):
    """A pupil left a school roll to one of these destinations."""

    destinations: tuple[str, ...]


class EventCountRule(Rule):
    """At least `minimum` events (or agencies, for a match) of `event_types` in `window_days`."""

    event_types: tuple[str, ...]
    window_days: int = Field(ge=1)
    minimum: int = Field(ge=1)


class ReferralClockRule(Rule):
    """A referral-loop clock: alert `recipients` when `working_days` pass without what it awaits.

    `escalate_after_working_days` (0: never) more working days still without it
    alert `escalate_to`.
    """

    working_days: int = Field(ge=1)
    escalate_after_working_days: int = Field(default=0, ge=0)


class DisagreementStage(_Model):
    """One stage of a partnership's escalation procedure: who holds it and for how long."""

    name: str = Field(min_length=1)
    working_days: int = Field(ge=1)
    recipients: tuple[RecipientSpec, ...] = Field(min_length=1)


class DisagreementRule(Rule):
    """A disagreement past its stage's timescale goes to the next stage's recipients.

    Past the last stage's timescale, `recipients` hear that it is still unresolved.
    """

    stages: tuple[DisagreementStage, ...] = Field(min_length=1)


class RuleSet(_Model):
    """Every threshold rule, validated; attribute names are the rule kinds."""

    persistent_absence: AbsenceRateRule = Field(alias="attendance.persistent-absence")
    severe_absence: AbsenceRateRule = Field(alias="attendance.severe-absence")
    ten_day_absence: ContinuousAbsenceRule = Field(alias="attendance.ten-day-unauthorised")
    missing_education: ContinuousAbsenceRule = Field(alias="attendance.cme-twenty-day")
    unauthorised_sessions: RollingUnauthorisedRule = Field(alias="attendance.unauthorised-sessions")
    illness: IllnessRule = Field(alias="attendance.illness-fifteen-days")
    looked_after_absence: PlansRule = Field(alias="attendance.looked-after-absence")
    plan_absence: PlanAbsenceRule = Field(alias="attendance.unexplained-absence-on-plan")
    exclusion_with_social_worker: PlansRule = Field(alias="exclusion.child-with-social-worker")
    suspension_term: SuspensionDaysRule = Field(alias="exclusion.suspension-days-term")
    suspension_year: SuspensionDaysRule = Field(alias="exclusion.suspension-days-year")
    left_roll_unknown: LeftRollRule = Field(alias="roll.left-unknown-destination")
    encompass: Rule = Field(alias="safeguarding.operation-encompass")
    multi_agency_match: EventCountRule = Field(alias="safeguarding.multi-agency-match")
    missing_episodes: EventCountRule = Field(alias="safeguarding.repeat-missing")
    referral_decision: ReferralClockRule = Field(alias="referrals.decision-overdue")
    referral_feedback: ReferralClockRule = Field(alias="referrals.feedback-overdue")
    assessment: ReferralClockRule = Field(alias="referrals.assessment-overdue")
    disagreement: DisagreementRule = Field(alias="referrals.disagreement-stage-overdue")

    def all(self) -> tuple[Rule, ...]:
        """Every rule, in declaration order."""
        return tuple(getattr(self, name) for name in type(self).model_fields)

    @model_validator(mode="before")
    @classmethod
    def _ids_from_keys(cls, raw: Any) -> Any:
        if isinstance(raw, Mapping):
            return {
                key: {**value, "id": key} if isinstance(value, Mapping) else value
                for key, value in raw.items()
            }
        return raw


def merge_config(defaults: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`defaults` with `override` laid over it: mappings merge recursively, the rest replaces."""
    merged = dict(defaults)
    for key, value in override.items():
        base = merged.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_config(base, value)
        else:
            merged[key] = value
    return merged


def rule_set_from_mappings(
    defaults: Mapping[str, Any], override: Mapping[str, Any] | None = None
) -> RuleSet:
    """Validate the `rules:` section of defaults merged with an optional override."""
    merged = merge_config(defaults, override or {})
    unknown = set(merged.get("rules", {})) - {f.alias for f in RuleSet.model_fields.values()}
    if unknown:
        raise RuleConfigError(f"unknown rule ids in configuration: {sorted(unknown)}")
    _check_severities(merged.get("rules", {}))
    try:
        return RuleSet.model_validate(merged.get("rules", {}))
    except ValidationError as error:
        raise RuleConfigError(f"threshold rules do not validate: {error}") from error


def _check_severities(rules: Mapping[str, Any]) -> None:
    """Refuse a severity that is not a word of the AlertRaised contract, naming the field."""
    for rule_id, rule in rules.items():
        severity = rule.get("severity") if isinstance(rule, Mapping) else None
        if severity is not None and severity not in SEVERITIES:
            raise RuleConfigError(
                f"rules.{rule_id}.severity: {severity!r} is not a severity; "
                f"use one of {', '.join(SEVERITIES)} (the words of AlertRaised)"
            )


def _read_yaml(text: str) -> Mapping[str, Any]:
    raw = yaml.safe_load(text) or {}
    if not isinstance(raw, Mapping):
        raise RuleConfigError("rule configuration must be a YAML mapping")
    return raw


def load_rules(override: Path | None = None) -> RuleSet:
    """The packaged default rules, with a local authority's override file laid over them."""
    defaults = _read_yaml(packaged_default(DEFAULT_RULES).read_text(encoding="utf-8"))
    local = _read_yaml(override.read_text(encoding="utf-8")) if override else None
    return rule_set_from_mappings(defaults, local)
