"""Importing FHIR Consents as a child's directives: every problem at once, or a dry run.

The directives are received now (the service's clock stamps `recorded_at`);
the times the documents state are kept as `stated_at` and never order them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consent.domain.directive import ConsentDirective
from consent.fhir import FhirImportError, FhirVersion, Problem, directives_from_fhir
from services.consent.commands import checked_child_ref
from services.consent.handlers import ConsentService, publish_directive
from services.consent.state import VersionedDirective


async def import_fhir(
    service: ConsentService,
    child_ref: str,
    document: Mapping[str, Any],
    version: FhirVersion,
    *,
    dry_run: bool = False,
) -> list[VersionedDirective]:
    """Record the directives of a FHIR Consent or Bundle about `child_ref`, received now.

    Every problem is listed at once (FhirImportError) and nothing is recorded
    then; a dry run records nothing and answers with the versions it would record.
    """
    checked_child_ref(child_ref)
    directives = directives_from_fhir(document, version, service.clock())
    bundle = document.get("resourceType") == "Bundle"
    problems = [
        problem
        for index, directive in enumerate(directives)
        for problem in _import_problems(
            service, child_ref, directive, f"entry[{index}]" if bundle else "Consent"
        )
    ]
    if problems:
        raise FhirImportError(problems)
    async with service.lock:
        if dry_run:
            return _planned(service, directives)
        return [await publish_directive(service, directive) for directive in directives]


def _import_problems(
    service: ConsentService, child_ref: str, directive: ConsentDirective, where: str
) -> list[Problem]:
    problems = []
    if directive.child_ref != child_ref:
        problems.append(Problem(f"{where}.subject", "names another child than the one in the URL"))
    if directive.recorded_by.agency not in service.directory:
        problems.append(
            Problem(f"{where}.recorded_by.agency", "the recording agency is not in the directory")
        )
    agency = directive.recipient.agency if directive.recipient is not None else None
    if agency is not None and agency not in service.directory:
        problems.append(
            Problem(f"{where}.recipient.agency", "the recipient is not in the agency directory")
        )
    return problems


def _planned(
    service: ConsentService, directives: list[ConsentDirective]
) -> list[VersionedDirective]:
    """The versions the directives would be recorded under, publishing nothing."""
    versions: dict[str, int] = {}
    planned = []
    for directive in directives:
        current = service.state.directive(directive.child_ref, directive.id)
        held = versions.get(directive.id, 0 if current is None else current.version)
        versions[directive.id] = held + 1
        planned.append(VersionedDirective(held + 1, directive))
    return planned
