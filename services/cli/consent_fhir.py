"""`joinedup consent import-fhir FILE [--dry-run]`: a child's FHIR Consents as directives.

FILE holds one FHIR Consent, or a Bundle of them, about one child: the one its
subject (R5) or patient (R4) names by child_ref identifier, or `--child-ref`.
The command posts it to the running consent service's import route as a
consent officer, like `joinedup consent load` (JOINEDUP_CONSENT_URL and
JOINEDUP_CONSENT_TOKEN). The service lists every problem of the file at once
and then records nothing; `--dry-run` says what would be recorded.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, NoReturn

import typer

from consent.fhir import FhirVersion
from consent.fhir.terms import CHILD_REF_SYSTEM
from services.cli.consent_load import DEFAULT_URL
from services.consent.adapters.consent_api import (
    TOKEN_SETTING,
    URL_SETTING,
    ConsentApi,
    RefusedError,
    officer_client,
)

# Consent elements only R4 has (R5 renamed or dropped them).
R4_ONLY: Final = frozenset(
    {"scope", "patient", "dateTime", "organization", "performer", "policy", "policyRule"}
)


class Release(StrEnum):
    """The FHIR releases the import reads."""

    R5 = "R5"
    R4 = "R4"


def consents_of(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The Consent resources of a Consent or a Bundle (others are left to the service)."""
    if document.get("resourceType") != "Bundle":
        return [document]
    entries = document.get("entry")
    found = [e.get("resource") for e in entries if isinstance(e, Mapping)] if entries else []
    return [r for r in found if isinstance(r, Mapping) and r.get("resourceType") == "Consent"]


def fhir_version_of(document: Mapping[str, Any]) -> FhirVersion:
    """R4 when a Consent carries an element only R4 has, else R5."""
    r4 = any(R4_ONLY & set(consent) for consent in consents_of(document))
    return "R4" if r4 else "R5"


def children_of(document: Mapping[str, Any], version: FhirVersion) -> set[str]:
    """The child_refs the Consents name as their subject (R5) or patient (R4)."""
    element = "patient" if version == "R4" else "subject"
    found = set()
    for consent in consents_of(document):
        reference = consent.get(element)
        identifier = reference.get("identifier") if isinstance(reference, Mapping) else None
        if isinstance(identifier, Mapping) and identifier.get("system") == CHILD_REF_SYSTEM:
            found.add(str(identifier.get("value")))
    return found


def _refuse(problems: Sequence[str]) -> NoReturn:
    for problem in problems:
        typer.echo(problem, err=True)
    typer.echo(f"{len(problems)} problem(s); nothing was imported", err=True)
    raise typer.Exit(1)


def _read(file: Path) -> dict[str, Any]:
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _refuse([f"{file.name}: must be a FHIR JSON document ({type(exc).__name__})"])
    if not isinstance(document, dict):
        _refuse([f"{file.name}: must be a FHIR Consent or Bundle (a JSON object)"])
    return document


def _child(document: Mapping[str, Any], version: FhirVersion, file: Path) -> str:
    children = children_of(document, version)
    if len(children) == 1:
        return children.pop()
    element = "patient" if version == "R4" else "subject"
    rule = (
        f"names no child by child_ref ({CHILD_REF_SYSTEM}); give --child-ref to see every problem"
        if not children
        else "names more than one child; import one child's Consents per file"
    )
    _refuse([f"{file.name}: Consent.{element}.identifier: {rule}"])


@dataclass(frozen=True)
class ImportRequest:
    """What to import, for which child, in which FHIR release; a dry run records nothing."""

    child_ref: str
    document: dict[str, Any]
    version: FhirVersion
    dry_run: bool


async def _import(url: str, token: str | None, request: ImportRequest) -> list[dict[str, Any]]:
    async with officer_client(url, token) as client:
        return await ConsentApi(client).import_fhir(
            request.child_ref, request.document, request.version, dry_run=request.dry_run
        )


def import_fhir(  # noqa: PLR0913 - the file plus the command's options
    file: Annotated[
        Path,
        typer.Argument(
            help="A FHIR Consent, or a Bundle of them, as JSON.",
            exists=True,
            dir_okay=False,
            metavar="FILE",
        ),
    ],
    *,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be recorded; record nothing.")
    ] = False,
    child_ref: Annotated[
        str | None,
        typer.Option(help="The child; default: the child_ref the Consents name."),
    ] = None,
    fhir_version: Annotated[
        Release | None,
        typer.Option(help="The FHIR release; default: R4 when a Consent has R4-only elements."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help=f"The consent service; default: {URL_SETTING}, else {DEFAULT_URL}."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(help=f"A consent officer's bearer token; default: {TOKEN_SETTING}."),
    ] = None,
) -> None:
    """Import a child's FHIR Consents as consent directives, through the consent service."""
    document = _read(file)
    version: FhirVersion = "R4" if (fhir_version or fhir_version_of(document)) == "R4" else "R5"
    child = child_ref or _child(document, version, file)
    request = ImportRequest(child, document, version, dry_run=dry_run)
    # The same variables as `consent load`, which lists them in the settings table.
    url = url or os.environ.get(URL_SETTING) or DEFAULT_URL
    token = token or os.environ.get(TOKEN_SETTING)
    try:
        held = asyncio.run(_import(url, token, request))
    except RefusedError as exc:
        _refuse([f"{field}: {rule}" for field, rule in exc.problems])
    for entry in held:
        directive = entry["directive"]
        verb = "would be version" if dry_run else "version"
        typer.echo(f"{directive['id']}: {directive['kind']}, {verb} {entry['version']}")
    if dry_run:
        typer.echo(f"dry run, nothing recorded: {len(held)} directive(s) would be recorded")
    else:
        typer.echo(f"imported: {len(held)} directive(s)")
