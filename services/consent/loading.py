"""Loading agreements from files: which are new, which get a new version, which are unchanged.

`plan_load` compares the agreements read from a file with those the consent
service holds (pure); `apply_load` carries a plan out through the service's
agreement API: version 1 of each new agreement, version n+1 of each changed
one, nothing for the unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from consent.domain.agreement import SharingAgreement
from consent.domain.selectors import AgencySelector
from services.consent.commands import AgreementDraft, CreateAgreement

Change = Literal["new", "new-version", "unchanged"]
# The content of an agreement version: what a file may change.
CONTENT_FIELDS = tuple(AgreementDraft.model_fields)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an agreement of a file cannot be loaded: its id (or place), the field and the rule."""

    agreement: str
    field: str
    rule: str

    def __str__(self) -> str:
        """One line: `<agreement>: <field>: <rule>`."""
        return f"{self.agreement}: {self.field}: {self.rule}"


@dataclass(frozen=True, slots=True)
class ServiceReference:
    """What the consent service accepts in an agreement: its agencies and event types."""

    agency_ids: frozenset[str]
    event_types: frozenset[str]


@dataclass(frozen=True, slots=True)
class PlannedAgreement:
    """One agreement of the file and what loading it does."""

    draft: CreateAgreement
    change: Change
    version: int
    differing: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line: the agreement id, what changes, and for a new version which fields."""
        if self.change == "new":
            return f"{self.draft.id}: new (version {self.version})"
        if self.change == "new-version":
            fields = ", ".join(self.differing)
            return f"{self.draft.id}: new version {self.version} ({fields} differ)"
        return f"{self.draft.id}: unchanged (version {self.version})"


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """Every agreement of the files with its change, or the problems that stop the load."""

    agreements: tuple[PlannedAgreement, ...]
    problems: tuple[Problem, ...] = ()

    def count(self, change: Change) -> int:
        """How many agreements undergo `change`."""
        return sum(1 for planned in self.agreements if planned.change == change)

    def summary(self) -> str:
        """The counts of new, newly versioned and unchanged agreements."""
        return (
            f"{self.count('new')} new, {self.count('new-version')} new version(s), "
            f"{self.count('unchanged')} unchanged"
        )


class AgreementApi(Protocol):
    """The consent service's agreement routes, as `apply_load` needs them."""

    async def create(self, draft: CreateAgreement) -> SharingAgreement:
        """Publish version 1 of a new agreement."""
        ...

    async def new_version(self, draft: CreateAgreement, based_on: int) -> SharingAgreement:
        """Publish the version after `based_on` with the draft's content."""
        ...


def differing_fields(draft: AgreementDraft, current: SharingAgreement) -> tuple[str, ...]:
    """The content fields whose values differ between a draft and an agreement version."""
    return tuple(name for name in CONTENT_FIELDS if getattr(draft, name) != getattr(current, name))


def _selector_problems(
    draft: CreateAgreement, where: str, selector: AgencySelector, agencies: Collection[str]
) -> list[Problem]:
    if selector.agency is None or selector.agency in agencies:
        return []
    rule = f"{selector.agency!r} is not in the consent service's agency directory"
    return [Problem(draft.id, f"{where}.agency", rule)]


def check_against(draft: CreateAgreement, reference: ServiceReference) -> list[Problem]:
    """What the consent service would refuse in a draft: unknown agencies or event types."""
    problems = _selector_problems(draft, "provider", draft.provider, reference.agency_ids)
    problems += _selector_problems(draft, "recipient", draft.recipient, reference.agency_ids)
    unknown = sorted(draft.event_types - reference.event_types)
    if unknown:
        rule = f"{', '.join(unknown)} not among the event types agreements may name"
        problems.append(Problem(draft.id, "event_types", rule))
    return problems


def _planned(draft: CreateAgreement, current: SharingAgreement | None) -> PlannedAgreement:
    if current is None:
        return PlannedAgreement(draft, "new", 1)
    differing = differing_fields(draft, current)
    if not differing:
        return PlannedAgreement(draft, "unchanged", current.version)
    return PlannedAgreement(draft, "new-version", current.version + 1, differing)


def plan_load(
    drafts: Sequence[CreateAgreement],
    current: Mapping[str, SharingAgreement],
    reference: ServiceReference,
) -> LoadPlan:
    """What loading `drafts` into a service holding `current` (newest versions by id) does."""
    problems = [problem for draft in drafts for problem in check_against(draft, reference)]
    for draft in drafts:
        held = current.get(draft.id)
        if held is not None and held.status == "retired":
            rule = "the agreement is retired in the consent service; give it a new id"
            problems.append(Problem(draft.id, "id", rule))
    planned = tuple(_planned(draft, current.get(draft.id)) for draft in drafts)
    return LoadPlan(planned, tuple(problems))


async def apply_load(api: AgreementApi, plan: LoadPlan) -> LoadPlan:
    """Publish what `plan` says changes; the plan again, with the versions the service gave."""
    applied = []
    for planned in plan.agreements:
        if planned.change == "new":
            published = await api.create(planned.draft)
        elif planned.change == "new-version":
            published = await api.new_version(planned.draft, planned.version - 1)
        else:
            applied.append(planned)
            continue
        applied.append(replace(planned, version=published.version))
    return LoadPlan(tuple(applied), plan.problems)
