"""A FHIR document to import: one Consent, or a Bundle of Consents (every problem listed).

The entries of a Bundle are received in the order they appear: entry n is
stamped one millisecond after entry n-1, so a withdrawal listed after a consent
governs it, whatever times the documents state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from consent.domain.directive import ConsentDirective
from consent.fhir.exceptions import FhirImportError
from consent.fhir.importing import directive_from_fhir_r4, directive_from_fhir_r5
from consent.fhir.problems import Problems

FhirVersion = Literal["R5", "R4"]
ENTRY_SPACING: Final = timedelta(milliseconds=1)


def directives_from_fhir(
    document: Mapping[str, Any], version: FhirVersion, received_at: datetime
) -> list[ConsentDirective]:
    """The directives of one Consent resource or of a Bundle of them, received at `received_at`."""
    read: Callable[..., ConsentDirective] = (
        directive_from_fhir_r5 if version == "R5" else directive_from_fhir_r4
    )
    problems = Problems()
    if document.get("resourceType") == "Consent":
        return [read(document, received_at=received_at)]
    if document.get("resourceType") != "Bundle":
        problems.refuse("resourceType", "must be Consent or Bundle")
    entries = document.get("entry")
    if not isinstance(entries, list) or not entries:
        problems.refuse("entry", "a Bundle must hold at least one Consent")
    directives: list[ConsentDirective] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping) or resource.get("resourceType") != "Consent":
            problems.add(f"entry[{index}].resource", "must be a Consent resource")
            continue
        try:
            directives.append(read(resource, received_at=received_at + index * ENTRY_SPACING))
        except FhirImportError as err:
            problems.merge(err.problems, f"entry[{index}].")
    problems.raise_any()
    return directives
